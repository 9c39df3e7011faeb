import type { ParseArgsConfig } from 'node:util';
import { DAILY_VARIABLES, dailyBaseline, type DailyBaseline, type DailyInput, type DailyVariable } from '@meterline/mining';
import { EXIT_INPUT, EXIT_NO_INPUT, EXIT_OK, EXIT_USAGE, formatInputError, type CommandIo } from './command-io.ts';
import { parseDailyCsv } from './daily-file.ts';
import { optionTokens } from './option-tokens.ts';

const USAGE = `usage: meterline baseline --daily <csv> --baseline <from>..<to> [--reporting <from>..<to>]
                          [--variables production,workingDay,degreeDays] [--unit <unit>]
                          [--format table|json] [--help]`;

const HELP = `${USAGE}

Fits a daily energy baseline (ISO 50006; fit judged by ASHRAE Guideline 14) on a CSV of days
and, with a reporting period, gives the savings with their uncertainty, the EnPI, the days
outside the prediction interval and the CUSUM's change points. Savings are not claimed from a
model that fails the criteria: the output says which.

  --daily <csv>          header date,energy and any of energy_u (U, k = 2), production,
                         temperature (the day's mean outdoor temperature, °C), working_day (1 or 0)
  --baseline <range>     the baseline period, local days inclusive: 2025-01-01..2025-12-31
  --reporting <range>    the reporting period, the same way
  --variables <list>     what the energy may depend on (default: each the baseline's days give):
                         ${DAILY_VARIABLES.join(', ')} (heating and cooling degree days, balance
                         points searched from −1 to 32 °C)
  --unit <unit>          the energy's unit, printed with the figures (default kWh)
  --format <format>      table (default) or json (meterline.baseline/v1)
  -h, --help             this text

exit codes: 0 success (also when the fit fails its criteria), 64 bad arguments, 65 an invalid
file or a baseline that cannot be fitted, 66 the file cannot be read`;

const OPTIONS = {
  daily: { type: 'string' },
  baseline: { type: 'string' },
  reporting: { type: 'string' },
  variables: { type: 'string' },
  unit: { type: 'string' },
  format: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies ParseArgsConfig['options'];
type Name = keyof typeof OPTIONS;

const RANGE = /^(\d{4}-\d{2}-\d{2})\.\.(\d{4}-\d{2}-\d{2})$/;

interface BaselineArgs {
  daily: string;
  baseline: { from: string; to: string };
  reporting?: { from: string; to: string };
  variables?: DailyVariable[];
  unit: string;
  format: 'table' | 'json';
}

function parseArgs(argv: readonly string[]): { kind: 'args'; args: BaselineArgs } | { kind: 'help' } | { kind: 'errors'; errors: string[] } {
  const errors: string[] = [];
  const values: Partial<Record<Name, string>> = {};
  let help = false;
  for (const token of optionTokens(argv, OPTIONS)) {
    if (token.kind === 'positional') errors.push(`unexpected argument "${token.value}"`);
    if (token.kind !== 'option') continue;
    if (!Object.hasOwn(OPTIONS, token.name)) errors.push(`unknown option "${token.rawName}"`);
    else if (token.name === 'help') help = true;
    else if (token.value === undefined) errors.push(`${token.rawName} needs a value`);
    else if (values[token.name as Name] !== undefined) errors.push(`${token.rawName} is given twice`);
    else values[token.name as Name] = token.value;
  }
  if (help) return { kind: 'help' };
  const range = (name: 'baseline' | 'reporting') => {
    const text = values[name];
    if (text === undefined) return undefined;
    const m = RANGE.exec(text);
    if (!m || m[1]! > m[2]!) {
      errors.push(`--${name} must be two days, the first not after the second: YYYY-MM-DD..YYYY-MM-DD, got "${text}"`);
      return undefined;
    }
    return { from: m[1]!, to: m[2]! };
  };
  if (!values.daily) errors.push('--daily is required');
  if (!values.baseline) errors.push('--baseline is required');
  const baseline = range('baseline');
  const reporting = range('reporting');
  if (baseline && reporting && reporting.from <= baseline.to) errors.push(`--reporting must begin after the baseline period ends (${baseline.to})`);
  const variables = values.variables?.split(',').map((v) => v.trim());
  const unknown = variables?.filter((v) => !(DAILY_VARIABLES as readonly string[]).includes(v)) ?? [];
  if (unknown.length > 0) errors.push(`--variables takes ${DAILY_VARIABLES.join(', ')}; unknown: ${unknown.join(', ')}`);
  const format = values.format ?? 'table';
  if (format !== 'table' && format !== 'json') errors.push(`--format must be table or json, got "${format}"`);
  if (errors.length > 0 || !baseline) return { kind: 'errors', errors };
  return {
    kind: 'args',
    args: {
      daily: values.daily!,
      baseline,
      ...(reporting ? { reporting } : {}),
      ...(variables ? { variables: variables as DailyVariable[] } : {}),
      unit: values.unit ?? 'kWh',
      format: format as BaselineArgs['format'],
    },
  };
}

/** `meterline baseline …`: returns the exit code. */
export async function runBaseline(argv: readonly string[], io: CommandIo): Promise<number> {
  const parsed = parseArgs(argv);
  if (parsed.kind === 'help') {
    io.stdout(`${HELP}\n`);
    return EXIT_OK;
  }
  if (parsed.kind === 'errors') {
    io.stderr(`${parsed.errors.map((e) => `meterline baseline: ${e}`).join('\n')}\n${USAGE}\n`);
    return EXIT_USAGE;
  }
  const { args } = parsed;
  let text: string;
  try {
    text = await io.readFile(args.daily);
  } catch (error) {
    io.stderr(`meterline baseline: cannot read ${args.daily}: ${(error as Error).message}\n`);
    return EXIT_NO_INPUT;
  }
  const { rows, errors } = parseDailyCsv(text, args.daily);
  if (errors.length > 0) {
    io.stderr(`${errors.map(formatInputError).join('\n')}\n`);
    return EXIT_INPUT;
  }
  // The CSV's days are local days; noon UTC of each keeps them in order and apart whatever the zone.
  const inputs: DailyInput[] = rows.map((r) => ({ ...r, startMs: Date.parse(`${r.date}T12:00:00Z`) }));
  const result = dailyBaseline(inputs, { baseline: args.baseline, ...(args.reporting ? { reporting: args.reporting } : {}), ...(args.variables ? { variables: args.variables } : {}) });
  if (!result.ok) {
    io.stderr(`meterline baseline: ${args.daily}: ${result.error.message}\n`);
    return EXIT_INPUT;
  }
  io.stdout(args.format === 'json' ? `${JSON.stringify(baselineOutput(result.value, args), null, 2)}\n` : baselineTable(result.value, args));
  return EXIT_OK;
}

const BASELINE_OUTPUT_SCHEMA = 'meterline.baseline/v1';

/** The JSON a script reads: the model, its fit and verdict, the reporting period's savings and the anomalies. */
export function baselineOutput(b: DailyBaseline, args: Pick<BaselineArgs, 'baseline' | 'reporting' | 'unit'>) {
  const { model } = b;
  return {
    schema: BASELINE_OUTPUT_SCHEMA,
    unit: args.unit,
    baseline: { ...args.baseline, days: b.baselineDays, excludedDays: b.excludedDays },
    model: {
      variables: b.variables,
      degreeDays: b.degreeDays && { kind: b.degreeDays.kind, balancePointsC: b.degreeDays.balancePoints, candidatesTried: b.degreeDays.candidatesTried, candidatesQualified: b.degreeDays.candidatesQualified },
      coefficients: model.coefficients,
      n: model.n,
      p: model.p,
      degreesOfFreedom: model.degreesOfFreedom,
      residualStandardError: model.residualStandardError,
      residualAutocorrelation: model.residualAutocorrelation,
      adjustedRSquared: model.adjustedRSquared,
      statistics: model.statistics,
      verdict: model.verdict,
    },
    reporting: b.reporting && args.reporting ? { ...args.reporting, days: b.reporting.days, savings: b.reporting.savings, enpi: b.reporting.enpi } : null,
    anomalies: b.anomalies,
  };
}

const fixed = (n: number | null, digits = 3) => (n === null || !Number.isFinite(n) ? '–' : n.toFixed(digits));

function baselineTable(b: DailyBaseline, args: BaselineArgs): string {
  const { model } = b;
  const lines = [
    `baseline ${args.baseline.from}..${args.baseline.to}: ${b.baselineDays} days${b.excludedDays.length ? ` (${b.excludedDays.length} left out: a variable missing)` : ''}`,
    `model: energy [${args.unit}/day] = ${model.coefficients.map((c) => `${fixed(c.estimate, 4)}${c.name === 'intercept' ? '' : `·${c.name}`}`).join(' + ')}`,
    ...model.coefficients.map((c) => `  ${c.name.padEnd(12)} ${fixed(c.estimate, 4).padStart(14)} ± ${fixed(c.standardError, 4)} (t ${fixed(c.t, 2)}, p ${c.pValue.toPrecision(2)})`),
    ...(b.degreeDays ? [`degree days: ${b.degreeDays.kind}, balance points heating ${b.degreeDays.balancePoints.heating ?? '–'} °C, cooling ${b.degreeDays.balancePoints.cooling ?? '–'} °C`] : []),
    `fit: R² ${fixed(model.statistics.rSquared)}, adjusted ${fixed(model.adjustedRSquared)}, CV(RMSE) ${fixed(model.statistics.cvRmsePercent, 2)} %, NMBE ${fixed(model.statistics.nmbePercent, 2)} %`,
    model.verdict.passed ? `verdict: meets ${model.verdict.criteriaId} ${model.verdict.criteriaVersion}` : `verdict: fails ${model.verdict.criteriaId}: ${model.verdict.failures.map((f) => f.explanation).join('; ')}`,
  ];
  if (b.reporting && args.reporting) {
    const s = b.reporting.savings;
    lines.push(
      `reporting ${args.reporting.from}..${args.reporting.to}: ${b.reporting.days} days`,
      `  adjusted baseline ${fixed(s.adjustedBaseline, 1)} ${args.unit}, actual ${fixed(s.actual, 1)} ${args.unit}`,
      `  savings ${fixed(s.savings, 1)} ± ${fixed(s.U, 1)} ${args.unit} (U, k = 2; ${fixed(100 * s.savingsFraction, 1)} %)${s.claim.allowed ? '' : `: not claimed (${s.claim.reasons.join('; ')})`}`,
    );
    if (b.reporting.enpi) lines.push(`  EnPI (actual ÷ adjusted baseline) ${fixed(b.reporting.enpi.modelEnpi, 3)}: ${fixed(b.reporting.enpi.normalisedChangePercent, 1)} % normalised`);
  }
  const { outsidePredictionInterval: outside, cusum } = b.anomalies;
  lines.push(`days outside the 95 % prediction interval: ${outside.length}${outside.length ? ` (${outside.slice(0, 5).map((a) => `${a.date} ${a.direction}`).join(', ')}${outside.length > 5 ? ', …' : ''})` : ''}`);
  const changes = cusum.changePoints.map((c) => `${c.direction} from ${c.startDate} (signalled ${c.signalDate})`);
  lines.push(`CUSUM change points: ${changes.length === 0 ? 'none' : `${changes.slice(0, 5).join(', ')}${changes.length > 5 ? `, … (${changes.length} in all)` : ''}`}`);
  return `${lines.join('\n')}\n`;
}
