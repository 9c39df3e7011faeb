import {
  accountEnterprise, calendarPeriod, createFactorCatalog, cumulativePoints, indexRegistry, isDomainError, loadLimitStandards, parseManifest, readingsBounding, subPeriods,
  type AccountingOptions, type Enterprise, type EnterpriseFigures, type FactorSet,
} from '@meterline/domain';
import { HELP, parseAccountArgs, USAGE, type ByKind } from './args.ts';
import { parseReadingsCsv, type ReadingsByPoint } from './readings-file.ts';
import type { InputError } from './input-error.ts';
import { parseManualCsv } from './manual-file.ts';
import { OUTPUT_SCHEMA, type AccountOutput } from './account-output.ts';
import { EXIT_INPUT, EXIT_NO_INPUT, EXIT_OK, EXIT_USAGE, formatInputError, type CommandIo } from './command-io.ts';
import { formatTable } from './format-table.ts';
import { formatComparison } from './format-comparison.ts';
import { readLimitStandardsFile } from './limit-standards-file.ts';
import { formatLimitCompliance, periodLimitCompliance, type PeriodLimitCompliance } from './account-limits.ts';
import { readFactorSetFile } from './factor-set-file.ts';

/**
 * Accounts the period, or each of its sub-periods, for one enterprise. Each point's readings
 * are sorted once and cut per sub-period to the few its figures depend on: passing all of
 * them made a month by quarter-hours over 10 points take about 3 minutes instead of 2 s.
 */
function accountByPeriod(
  enterprise: Enterprise,
  readings: ReadingsByPoint,
  key: string,
  by: ByKind | undefined,
  factorSet: FactorSet,
  options: AccountingOptions,
): EnterpriseFigures[] {
  const period = calendarPeriod(key, enterprise.timeZone);
  const sorted = cumulativePoints(enterprise).map(({ point }) => [point.id, [...(readings.get(point.id) ?? [])].sort((a, b) => a.at - b.at)] as const);
  return (by ? subPeriods(period, by) : [period]).map((p) =>
    accountEnterprise(enterprise, new Map(sorted.map(([id, rs]) => [id, readingsBounding(rs, p)])), p, factorSet, options),
  );
}

/** `meterline account …`: returns the exit code. */
export async function runAccount(argv: readonly string[], io: CommandIo): Promise<number> {
  const parsedArgs = parseAccountArgs(argv);
  if (parsedArgs.kind === 'help') {
    io.stdout(`${HELP}\n`);
    return EXIT_OK;
  }
  if (parsedArgs.kind === 'errors') {
    for (const e of parsedArgs.errors) io.stderr(`meterline account: ${e}\n`);
    io.stderr(`${USAGE}\n(meterline account --help describes the options)\n`);
    return EXIT_USAGE;
  }
  const args = parsedArgs.args;
  let manifestText: string;
  let readingsText: string;
  let factorSetText: string | undefined;
  let manualText: string | undefined;
  let limitsText: string | undefined;
  try {
    [manifestText, readingsText, factorSetText, manualText, limitsText] = await Promise.all([
      io.readFile(args.manifest),
      io.readFile(args.readings),
      args.factorSetFile === undefined ? undefined : io.readFile(args.factorSetFile),
      args.manual === undefined ? undefined : io.readFile(args.manual),
      args.limitStandardsFile === undefined ? undefined : io.readFile(args.limitStandardsFile),
    ]);
  } catch (error) {
    io.stderr(`meterline account: cannot read input: ${(error as Error).message}\n`);
    return EXIT_NO_INPUT;
  }

  const ownLimits = limitsText === undefined ? undefined : readLimitStandardsFile(limitsText, args.limitStandardsFile!);
  if (ownLimits && !ownLimits.ok) {
    for (const e of ownLimits.errors) io.stderr(`${formatInputError(e)}\n`);
    return EXIT_INPUT;
  }
  const limitStandards = ownLimits ? ownLimits.standards : loadLimitStandards();
  const manifest = parseManifest(manifestText, args.manifest, { limitStandards });
  if (!manifest.ok) {
    for (const i of manifest.errors) {
      io.stderr(`${formatInputError({ file: args.manifest, ...(i.line ? { line: i.line } : {}), ...(i.column ? { column: i.column } : {}), ...(i.path ? { field: i.path } : {}), message: `${i.message} [${i.code}]` })}\n`);
    }
    return EXIT_INPUT;
  }
  const registry = indexRegistry(manifest.manifest);
  const { readings, errors } = parseReadingsCsv(readingsText, args.readings, registry);
  const manual = manualText === undefined ? { entries: [], errors: [] } : parseManualCsv(manualText, args.manual!, manifest.manifest);
  if (errors.length > 0 || manual.errors.length > 0) {
    for (const e of [...errors, ...manual.errors]) io.stderr(`${formatInputError(e)}\n`);
    return EXIT_INPUT;
  }

  const enterprises = manifest.manifest.enterprises.filter((e) => args.enterprise === undefined || e.id === args.enterprise);
  if (enterprises.length === 0) {
    io.stderr(`meterline account: no enterprise "${args.enterprise}" in ${args.manifest}\n`);
    return EXIT_USAGE;
  }
  const auditorSet = args.factorSetFile === undefined ? undefined : auditorFactorSet(factorSetText!, args.factorSetFile);
  if (auditorSet && !auditorSet.ok) {
    for (const e of auditorSet.errors) io.stderr(`${formatInputError(e)}\n`);
    return EXIT_INPUT;
  }
  let catalog;
  try {
    catalog = createFactorCatalog(auditorSet ? [auditorSet.set] : []);
  } catch (error) {
    io.stderr(`meterline account: ${(error as Error).message}\n`);
    return EXIT_INPUT;
  }
  const results: EnterpriseFigures[] = [];
  const limits: PeriodLimitCompliance[] = [];
  // Pairs of the same enterprise and period: with the pinned set, with the file's set.
  const compared: Array<[EnterpriseFigures, EnterpriseFigures]> = [];
  const inputErrors: InputError[] = [];
  for (const enterprise of enterprises) {
    const index = manifest.manifest.enterprises.indexOf(enterprise);
    const fs = catalog.resolveFor(enterprise);
    if (!fs.ok) {
      const field = `/enterprises/${index}/factorSet`;
      inputErrors.push({ file: args.manifest, ...manifest.locate(field), field, message: `${fs.error.message} [${fs.error.code}]` });
      continue;
    }
    // An enterprise the manifest pins to the file's own set is accounted with it; the others are compared with it.
    const pinnedToFile = auditorSet !== undefined && factorSetId(enterprise.factorSet) === factorSetId(auditorSet.set);
    const other = auditorSet && !pinnedToFile ? catalog.resolveFor({ ...enterprise, factorSet: auditorSet.set }) : undefined;
    if (other && !other.ok) {
      inputErrors.push({ file: args.factorSetFile!, ...auditorSet!.locate('/regions'), field: '/regions', message: `${other.error.message} [${other.error.code}]` });
      continue;
    }
    const options = { equalValue: args.equalValue, estimateGaps: args.estimateGaps, manualEntries: manual.entries };
    try {
      const figures = accountByPeriod(enterprise, readings, args.period, args.by, fs.factor, options);
      results.push(...figures);
      for (const f of figures) {
        const compliance = periodLimitCompliance(enterprise, f, limitStandards);
        if (compliance) limits.push(compliance);
      }
      if (other) {
        const alternative = accountByPeriod(enterprise, readings, args.period, args.by, other.factor, options);
        compared.push(...figures.map((f, i): [EnterpriseFigures, EnterpriseFigures] => [f, alternative[i]!]));
      }
    } catch (error) {
      if (!isDomainError(error)) throw error;
      io.stderr(`meterline account: ${error.message} [${error.code}]\n`);
      return EXIT_USAGE;
    }
  }
  if (inputErrors.length > 0) {
    for (const e of inputErrors) io.stderr(`${formatInputError(e)}\n`);
    return EXIT_INPUT;
  }
  const output: AccountOutput = {
    schema: OUTPUT_SCHEMA,
    period: args.period,
    manifest: args.manifest,
    readings: args.readings,
    ...(args.manual ? { manual: args.manual } : {}),
    options: { equalValue: args.equalValue, estimateGaps: args.estimateGaps, ...(args.by ? { by: args.by } : {}) },
    enterprises: results,
    ...(limits.length > 0 ? { limits } : {}),
    ...(compared.length > 0 ? { comparison: { factorSetFile: args.factorSetFile!, factorSet: factorSetId(auditorSet!.set), enterprises: compared.map(([, b]) => b) } } : {}),
  };
  if (args.format === 'json') io.stdout(`${JSON.stringify(output, null, 2)}\n`);
  else {
    const limitTables = limits.map((l) => `limit standards, ${l.enterprise} ${l.period}:\n\n${formatLimitCompliance(l.compliance)}\n\n`).join('');
    io.stdout(formatTable(output) + limitTables + (compared.length > 0 ? `comparison with ${args.factorSetFile}:\n\n${formatComparison(compared)}` : ''));
  }
  return EXIT_OK;
}

const factorSetId = (set: { name: string; version: string }): string => `${set.name}@${set.version}`;

/** The auditor's set from its file; a shipped name and version is refused, since a published set never changes. */
function auditorFactorSet(text: string, file: string): ReturnType<typeof readFactorSetFile> {
  const read = readFactorSetFile(text, file);
  if (!read.ok || !createFactorCatalog().resolve(read.set.name, read.set.version).ok) return read;
  return {
    ok: false,
    errors: [{ file, ...read.locate('/version'), field: '/version', message: `${factorSetId(read.set)} is a shipped set; your own set takes another name or version [MTL_DOMAIN_REFERENCE_INVALID]` }],
  };
}
