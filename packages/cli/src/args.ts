import type { ParseArgsConfig } from 'node:util';
import { optionTokens } from './option-tokens.ts';
import type { PeriodKind } from '@meterline/domain';

/** Sub-periods `--by` can split a period into, shortest first. */
const BY_KINDS = ['quarter-hour', 'hour', 'day', 'month'] as const;
export type ByKind = (typeof BY_KINDS)[number];

const KIND_ORDER: readonly PeriodKind[] = [...BY_KINDS, 'year'];
const kindOfKey = (key: string): PeriodKind => (key.length === 4 ? 'year' : key.length === 7 ? 'month' : 'day');

interface AccountArgs {
  manifest: string;
  readings: string;
  period: string;
  format: 'json' | 'table';
  equalValue: boolean;
  estimateGaps: boolean;
  enterprise?: string;
  by?: ByKind;
  factorSetFile?: string;
  /** A deployment's own product limit standards, instead of the shipped ones. */
  limitStandardsFile?: string;
  /** A manual entries file (CSV). */
  manual?: string;
}

export const USAGE = `usage: meterline account --manifest <file> --readings <csv> --period <YYYY|YYYY-MM|YYYY-MM-DD>
                         [--by quarter-hour|hour|day|month] [--format json|table] [--enterprise <id>]
                         [--manual <csv>] [--equal-value] [--estimate-gaps] [--factor-set-file <file>]
                         [--limit-standards-file <file>] [--help]`;

export const HELP = `${USAGE}

Runs the accounting on a registry manifest and a CSV of register readings for one
calendar period in each enterprise's own time zone, or for each of its sub-periods.

  --manifest <file>     registry manifest, YAML or JSON
  --readings <csv>      register readings, header point,timestamp,quantity,value,unit
  --period <key>        a year, month or day: YYYY, YYYY-MM or YYYY-MM-DD
  --by <kind>           account each quarter-hour, hour, day or month of the period
  --format <format>     table (default) or json (meterline.account/v1)
  --enterprise <id>     only this enterprise of the manifest
  --manual <csv>        manual entries (fuel deliveries and stock, production, output value,
                        value added), header enterprise,id,kind,period,value,unit,document,
                        entered-by,entered-at[,site,carrier,product,error-percent,corrects,reason]
  --equal-value         also give standard coal with electricity at its equal value
  --estimate-gaps       fill time without measured data at the period's mean rate (flagged)
  --factor-set-file <file>
                        also account with this factor set (YAML or JSON, as POST /v1/factor-sets
                        takes it) and print both results side by side
  --limit-standards-file <file>
                        product energy-consumption limit standards (YAML or JSON, the shape of the
                        shipped data set) to judge mapped products against, instead of the shipped
                        ones; only confirmed values give a verdict
  -h, --help            this text

exit codes: 0 success, 64 bad arguments or period, 65 invalid manifest, readings, manual entries or limit standards,
66 a file cannot be read`;

/** The options, for node:util parseArgs as the project's other command lines declare theirs. */
const OPTIONS = {
  manifest: { type: 'string' },
  readings: { type: 'string' },
  period: { type: 'string' },
  by: { type: 'string' },
  format: { type: 'string' },
  enterprise: { type: 'string' },
  manual: { type: 'string' },
  'equal-value': { type: 'boolean' },
  'estimate-gaps': { type: 'boolean' },
  'factor-set-file': { type: 'string' },
  'limit-standards-file': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies ParseArgsConfig['options'];

type OptionName = keyof typeof OPTIONS;
const isOption = (name: string): name is OptionName => Object.hasOwn(OPTIONS, name);

export type ParsedAccountArgs = { kind: 'args'; args: AccountArgs } | { kind: 'help' } | { kind: 'errors'; errors: string[] };

/**
 * Parses `account` arguments with node:util parseArgs; returns every problem found, not
 * just the first. parseArgs runs non-strict so that it hands back every token: in strict
 * mode it throws at the first unknown option.
 */
export function parseAccountArgs(argv: readonly string[]): ParsedAccountArgs {
  const tokens = optionTokens(argv, OPTIONS);
  const errors: string[] = [];
  const values: Partial<Record<OptionName, string>> = {};
  const flags = new Set<OptionName>();
  for (const token of tokens) {
    if (token.kind === 'positional') {
      errors.push(`unexpected argument "${token.value}" (every input is given with its option, e.g. --readings ${token.value})`);
      continue;
    }
    if (token.kind !== 'option') continue; // "--": what follows it comes as positionals
    const { name, rawName, value } = token;
    if (!isOption(name)) {
      errors.push(`unknown option "${rawName}"`);
      continue;
    }
    if (OPTIONS[name].type === 'boolean') {
      if (value !== undefined) errors.push(`${rawName} takes no value, got "${value}"`);
      else flags.add(name);
      continue;
    }
    if (value === undefined) {
      errors.push(`${rawName} needs a value`);
      continue;
    }
    if (values[name] !== undefined) errors.push(`${rawName} is given twice`);
    values[name] = value;
  }
  if (flags.has('help')) return { kind: 'help' };
  for (const required of ['manifest', 'readings', 'period'] as const) if (!values[required]) errors.push(`--${required} is required`);
  const format = values.format ?? 'table';
  if (format !== 'json' && format !== 'table') errors.push(`--format must be json or table, got "${format}"`);
  const period = values.period;
  const periodOk = period !== undefined && /^\d{4}(-\d{2}(-\d{2})?)?$/.test(period);
  if (period && !periodOk) errors.push(`--period must be YYYY, YYYY-MM or YYYY-MM-DD, got "${period}"`);
  const by = BY_KINDS.find((k) => k === values.by);
  if (values.by !== undefined && by === undefined) errors.push(`--by must be ${BY_KINDS.join(', ')}, got "${values.by}"`);
  if (by !== undefined && periodOk) {
    const kind = kindOfKey(period);
    if (KIND_ORDER.indexOf(by) > KIND_ORDER.indexOf(kind)) errors.push(`--by ${by} is longer than the period ${period} (a ${kind})`);
  }
  if (errors.length > 0) return { kind: 'errors', errors };
  return {
    kind: 'args',
    args: {
      manifest: values.manifest!,
      readings: values.readings!,
      period: values.period!,
      format: format as AccountArgs['format'],
      equalValue: flags.has('equal-value'),
      estimateGaps: flags.has('estimate-gaps'),
      ...(values.enterprise ? { enterprise: values.enterprise } : {}),
      ...(values.manual ? { manual: values.manual } : {}),
      ...(by ? { by } : {}),
      ...(values['factor-set-file'] ? { factorSetFile: values['factor-set-file'] } : {}),
      ...(values['limit-standards-file'] ? { limitStandardsFile: values['limit-standards-file'] } : {}),
    },
  };
}
