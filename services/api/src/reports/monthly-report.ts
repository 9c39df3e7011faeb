import {
  accountEnterprise, calendarPeriod, cumulativePoints, monthScorecard, sortFlags, subPeriods,
  type Enterprise, type EnterpriseFigures, type FactorSet, type Figure, type ManualEntry, type QualityFlag,
} from '@meterline/domain';
import { inputsHash } from './inputs-hash.ts';
import { baselineHashInputs, baselinesAndIntegrity } from './report-baselines.ts';
import { ACCOUNTING, carrierFigures, carrierGroups, type CarrierGroup } from './report-carriers.ts';
import { dailyFigures } from './report-daily.ts';
import type { ReadingsByPoint, ReportReadings } from './report-readings.ts';
import { REPORT_SCHEMA, type MonthlyReport } from './report-schema.ts';
import type { ReportFigures } from './report-figures.ts';
import { targetsAndLimits } from './report-targets.ts';

/** A calibration ending within this many days after the month is `expiring`: time to book the next one. */
const EXPIRING_WITHIN_DAYS = 90;

/** The same month a year earlier: 2026-03 → 2025-03. */
const monthAYearEarlier = (month: string): string => `${String(Number(month.slice(0, 4)) - 1).padStart(4, '0')}${month.slice(4)}`;

/**
 * Reads the readings of the month and of the same month a year earlier, then composes the
 * report with the enterprise's manual entries on record (deliveries and stock, production,
 * output value, value added), as the aggregator accounts them; the targets and limits and the
 * fabrication findings are the figures the aggregator published for the month, as they are; the
 * energy baselines are fitted here on the stored day figures.
 */
export async function monthlyReport(
  source: ReportReadings,
  enterprise: Enterprise,
  month: string,
  factorSet: FactorSet,
  manualEntries: readonly ManualEntry[],
  published: ReportFigures,
): Promise<MonthlyReport> {
  const previousMonth = monthAYearEarlier(month);
  const pointIds = cumulativePoints(enterprise).map(({ point }) => point.id);
  const [readings, previousReadings] = await Promise.all(
    [month, previousMonth].map((key) => source.load(enterprise.id, pointIds, calendarPeriod(key, enterprise.timeZone))),
  );
  return composeReport({ enterprise, month, factorSet, readings: readings!, previousMonth, previousReadings: previousReadings!, manualEntries, published });
}

interface ReportInputs {
  enterprise: Enterprise;
  month: string;
  factorSet: FactorSet;
  readings: ReadingsByPoint;
  previousMonth: string;
  previousReadings: ReadingsByPoint;
  manualEntries: readonly ManualEntry[];
  /**
   * Stored figures. Those shown as published (targets and limits, fabrication findings) are not
   * inputs the report computes from, so outside the inputs hash; the baselines' day figures are.
   */
  published: ReportFigures;
}

function byCarrier(enterprise: Enterprise, groups: readonly CarrierGroup[], month: string, factorSet: FactorSet, readings: ReadingsByPoint): MonthlyReport['energy']['byCarrier'] {
  return groups.map((g) => ({ carrier: g.carrier, direction: g.direction, points: g.points, manualEntries: g.manualEntries.map((e) => e.id), ...carrierFigures(enterprise, g, readings, month, factorSet) }));
}

/** GB/T 3484-2009: each node's input against its sub-meters, the gap with its expanded uncertainty. */
const balanceRows = (f: EnterpriseFigures): MonthlyReport['balances'] =>
  f.balances.map((b) => ({
    node: b.parentId,
    siteId: b.siteId,
    carrier: b.carrier,
    unit: b.unit,
    children: b.childIds,
    input: b.input,
    childrenSum: b.childrenSum,
    gap: b.gap,
    gapPercent: b.gapPercent,
    gapExpandedUncertainty: b.gapExpandedUncertainty,
    significant: b.significant,
    coveragePercent: b.coverage * 100,
  }));

function calibrationStatus(calibration: { validFrom: string; validUntil: string }, month: string): MonthlyReport['calibration'][number]['status'] {
  const [year, mm] = month.split('-').map(Number) as [number, number];
  const firstDay = `${month}-01`;
  const lastDay = new Date(Date.UTC(year, mm, 0)).toISOString().slice(0, 10);
  const horizon = new Date(Date.UTC(year, mm, 0) + EXPIRING_WITHIN_DAYS * 86_400_000).toISOString().slice(0, 10);
  if (calibration.validUntil < lastDay) return 'expired';
  if (calibration.validFrom > firstDay) return 'not-yet-valid';
  if (calibration.validUntil < horizon) return 'expiring';
  return 'valid';
}

function yearOnYear(current: EnterpriseFigures, previous: EnterpriseFigures): NonNullable<MonthlyReport['yearOnYear']['comparison']> {
  const pairs: Array<[string, Figure, Figure]> = [
    ['tceEquivalent', current.tceEquivalent, previous.tceEquivalent],
    ['tceEqualValue', current.tceEqualValue!, previous.tceEqualValue!],
    ['carbon.totalLocation', current.carbon.totalLocation, previous.carbon.totalLocation],
    ['carbon.totalMarket', current.carbon.totalMarket, previous.carbon.totalMarket],
    ['carbon.totalLocationNetOfExports', current.carbon.totalLocationNetOfExports, previous.carbon.totalLocationNetOfExports],
  ];
  for (const i of current.intensities) {
    const p = previous.intensities.find((x) => x.product === i.product && x.siteId === i.siteId && x.productionUnit === i.productionUnit);
    if (!p) continue;
    const name = `intensity.${i.product}${i.siteId ? `@${i.siteId}` : ''}`;
    pairs.push([`${name}.tce`, i.tcePerUnit, p.tcePerUnit]);
    if (i.tCO2PerUnit && p.tCO2PerUnit) pairs.push([`${name}.tco2`, i.tCO2PerUnit, p.tCO2PerUnit]);
  }
  return pairs.map(([metric, c, p]) => ({
    metric,
    unit: c.unit,
    current: c.value,
    currentExpandedUncertainty: c.expandedUncertainty,
    previous: p.value,
    previousExpandedUncertainty: p.expandedUncertainty,
    previousCoveragePercent: p.coveragePercent,
    change: c.value - p.value,
    changePercent: p.value === 0 ? null : ((c.value - p.value) / Math.abs(p.value)) * 100,
  }));
}

const countReadings = (readings: ReadingsByPoint): number => [...readings.values()].reduce((n, list) => n + list.length, 0);

/** How many of a point's readings used came from payloads whose signature ingest verified. */
function verifiedReadings(list: ReadonlyArray<{ verified: boolean }>): MonthlyReport['meteringPoints'][number]['verifiedReadings'] {
  const verified = list.filter((r) => r.verified).length;
  return { used: list.length, verified, percent: list.length === 0 ? null : (100 * verified) / list.length };
}

/**
 * The regulator's monthly report from the readings it is computed from: `accountEnterprise`
 * for the month with equal value, exactly what `meterline account --period YYYY-MM
 * --equal-value` prints, arranged by section. A pure function of its inputs, which the
 * inputs hash names; the published figures beside them are named by their revisions.
 */
function composeReport(inputs: ReportInputs): MonthlyReport {
  const { enterprise, month, factorSet, readings, previousMonth, previousReadings, manualEntries, published } = inputs;
  const options = { ...ACCOUNTING, manualEntries };
  const f = accountEnterprise(enterprise, readings, month, factorSet, options);
  const days = subPeriods(calendarPeriod(month, enterprise.timeZone), 'day').map((day) => accountEnterprise(enterprise, readings, day, factorSet, options));
  const groups = carrierGroups(enterprise, manualEntries);
  const energy: MonthlyReport['energy'] = {
    standard: 'GB/T 2589-2020',
    byCarrier: byCarrier(enterprise, groups, month, factorSet, readings),
    comprehensive: { tceEquivalent: f.tceEquivalent, tceEqualValue: f.tceEqualValue! },
    sites: f.sites.map((s) => ({ id: s.id, name: s.name, tceEquivalent: s.tce })),
  };
  const { scope1ByFuel: _byFuel, ...carbon } = f.carbon;

  // Year on year only when the month a year earlier has readings of its own, not just a bracket around it.
  const previous = calendarPeriod(previousMonth, enterprise.timeZone);
  const hasPrevious = [...previousReadings.values()].some((list) => list.some((r) => r.at >= previous.start && r.at < previous.end));
  const comparison = hasPrevious ? yearOnYear(f, accountEnterprise(enterprise, previousReadings, previousMonth, factorSet, options)) : null;

  const flagged: Array<{ figure: string; flags: QualityFlag[] }> = [
    ['energy.comprehensive.tceEquivalent', energy.comprehensive.tceEquivalent] as const,
    ['energy.comprehensive.tceEqualValue', energy.comprehensive.tceEqualValue] as const,
    ...energy.byCarrier.flatMap((c) => [[`energy.${c.direction}.${c.carrier}.tceEquivalent`, c.tceEquivalent] as const, [`energy.${c.direction}.${c.carrier}.tceEqualValue`, c.tceEqualValue] as const]),
    ...Object.entries(carbon).flatMap(([k, v]) => (v && 'quality' in v ? [[`carbon.${k}`, v] as const] : [])),
    ...f.intensities.flatMap((i) => [[`intensity.${i.product}${i.siteId ? `@${i.siteId}` : ''}.tce`, i.tcePerUnit] as const, ...(i.tCO2PerUnit ? [[`intensity.${i.product}${i.siteId ? `@${i.siteId}` : ''}.tco2`, i.tCO2PerUnit] as const] : [])]),
    ...f.points.map((p) => [`point.${p.id}.consumption`, p.consumption] as const),
  ].map(([figure, fig]) => ({ figure, flags: fig.quality.flags }));

  const pointFigures = new Map(f.points.map((p) => [p.id, p]));
  return {
    schema: REPORT_SCHEMA,
    inputsHash: inputsHash({
      schema: REPORT_SCHEMA,
      enterprise,
      factorSet: factorSet.id,
      readings: [
        { period: month, readings },
        { period: previousMonth, readings: previousReadings },
      ],
      manualEntries,
      ...(published.baselineDays.length > 0 ? { baselineDays: baselineHashInputs(published.baselineDays) } : {}),
    }),
    enterprise: { id: enterprise.id, name: enterprise.name, region: enterprise.region, gridRegion: enterprise.gridRegion, timeZone: enterprise.timeZone, scope2Level: enterprise.scope2Level },
    month,
    period: { start: f.period.start, end: f.period.end },
    factorSet: factorSet.id,
    readingsUsed: countReadings(readings),
    energy,
    daily: dailyFigures(enterprise, days, factorSet, readings, groups),
    balances: balanceRows(f),
    carbon,
    intensities: f.intensities,
    yearOnYear: { month: previousMonth, comparison, reason: comparison ? null : `no readings of ${enterprise.id} in ${previousMonth}` },
    coverage: { percent: f.tceEquivalent.coveragePercent, points: f.points.map((p) => ({ pointId: p.id, percent: p.consumption.coveragePercent })) },
    meteringPoints: f.points.map((p) => ({
      id: p.id,
      name: p.name,
      siteId: p.siteId,
      carrier: p.carrier,
      quantity: p.quantity,
      role: p.role,
      parent: p.parent,
      consumption: p.consumption,
      tceEquivalent: p.tce,
      verifiedReadings: verifiedReadings(readings.get(p.id) ?? []),
    })),
    calibration: enterprise.sites.flatMap((s) =>
      s.meteringPoints.map((p) => ({
        pointId: p.id,
        certificate: p.calibration.certificate,
        validFrom: p.calibration.validFrom,
        validUntil: p.calibration.validUntil,
        status: calibrationStatus(p.calibration, month),
        readingsOutsideCalibration: pointFigures.get(p.id)?.consumption.quality.readingsOutsideCalibration ?? 0,
      })),
    ),
    dataQuality: {
      flags: sortFlags(flagged.flatMap((x) => x.flags)),
      figures: flagged.filter((x) => x.flags.length > 0),
      suspectIntervals: f.points.reduce((n, p) => n + p.consumption.quality.suspectIntervals, 0),
      issues: f.issues.map((i) => ({ code: i.code, message: i.message, pointId: i.pointId ?? null })),
    },
    scorecard: scorecardOf(monthScorecard(enterprise, f, days)),
    targetsAndLimits: targetsAndLimits(published.targetsAndLimits, enterprise, month),
    baselinesAndIntegrity: baselinesAndIntegrity(published.baselineDays, published.fabricationFindings, enterprise.id, month),
  };
}

/** The domain's scorecard in the report's shape. */
function scorecardOf(card: ReturnType<typeof monthScorecard>): MonthlyReport['scorecard'] {
  return { rules: card.rules, passed: card.passed, outcomes: card.outcomes.map((o) => ({ ...o, findings: [...o.findings] })) };
}
