import type { Enterprise } from '../registry/manifest-schema.ts';
import type { RegisterReading } from '../counter/register-intervals.ts';
import type { Period } from '../calendar/period.ts';
import { calendarPeriod } from '../calendar/period.ts';
import { formatLocalIso } from '../calendar/zoned-time.ts';
import type { FactorSet } from '../reference/factor-set.ts';
import { isCumulative } from '../quantities.ts';
import { pointConsumption, type PointConsumption } from './point-consumption.ts';
import { pointBalances } from './balances.ts';
import { enterpriseCarbon } from './carbon.ts';
import { intensities } from './intensities.ts';
import { standardCoal } from './standard-coal.ts';
import { toFigure } from './figure.ts';
import { manualInputs } from '../manual/manual-accounting.ts';
import type { AccountedPoint, AccountingIssue, AccountingOptions, ConsumedPoint, EnterpriseFigures } from './enterprise-figures.ts';

export type { AccountedPoint, AccountingOptions, EnterpriseFigures } from './enterprise-figures.ts';

/**
 * The points of an enterprise that get consumption, in manifest order: the cumulative
 * (register) quantities; instantaneous quantities are not consumption.
 */
export function cumulativePoints(enterprise: Enterprise): AccountedPoint[] {
  return enterprise.sites.flatMap((site) =>
    site.meteringPoints.filter((point) => isCumulative(point.quantity)).map((point) => ({ point, siteId: site.id })),
  );
}

// A calendar key (YYYY, YYYY-MM, YYYY-MM-DD) or any period from subPeriods (hours, quarter-hours).
const resolvePeriod = (periodOrKey: string | Period, timeZone: string): Period =>
  typeof periodOrKey === 'string' ? calendarPeriod(periodOrKey, timeZone) : periodOrKey;

/**
 * Runs the whole accounting for one enterprise and one period in its time zone.
 * `readings` holds register readings per metering point, in the point's unit.
 */
export function accountEnterprise(
  enterprise: Enterprise,
  readings: ReadonlyMap<string, readonly RegisterReading[]>,
  periodOrKey: string | Period,
  factorSet: FactorSet,
  options: AccountingOptions = {},
): EnterpriseFigures {
  const period = resolvePeriod(periodOrKey, enterprise.timeZone);
  const consumptions = new Map<string, PointConsumption>();
  for (const { point } of cumulativePoints(enterprise)) {
    consumptions.set(point.id, pointConsumption(point, readings.get(point.id) ?? [], period, enterprise.timeZone, options));
  }
  return assembleEnterpriseFigures(enterprise, consumptions, period, factorSet, options);
}

/**
 * The accounting from per-point consumption on, section by section: standard coal
 * (standard-coal.ts), energy balances (balances.ts), carbon (carbon.ts) and intensities
 * (intensities.ts). `consumptions` holds `pointConsumption` results for this period and these
 * options, by point id, for the points of `cumulativePoints(enterprise)`; a point without an
 * entry had no readings.
 */
export function assembleEnterpriseFigures(
  enterprise: Enterprise,
  consumptions: ReadonlyMap<string, PointConsumption>,
  periodOrKey: string | Period,
  factorSet: FactorSet,
  options: AccountingOptions = {},
): EnterpriseFigures {
  const tz = enterprise.timeZone;
  const period = resolvePeriod(periodOrKey, tz);
  const fs = factorSet.id;
  const issues: AccountingIssue[] = [];

  const points: ConsumedPoint[] = cumulativePoints(enterprise).map(({ point, siteId }) => {
    const pc = consumptions.get(point.id) ?? pointConsumption(point, [], period, tz, options);
    return { point, siteId, term: pc.term, suspects: pc.suspects };
  });
  // Fuels known only by deliveries and stock join the boundary inputs (standard coal, scope 1), not the balances.
  const manual = manualInputs(enterprise, period, points, options.manualEntries ?? [], issues);
  const inputs = [...points, ...manual.fuels];
  const coal = standardCoal(enterprise, inputs, factorSet, options, issues);
  const balances = pointBalances(points, fs, options, issues);
  const carbon = enterpriseCarbon(enterprise, inputs, period, factorSet, issues);

  return {
    id: enterprise.id,
    name: enterprise.name,
    region: enterprise.region,
    gridRegion: enterprise.gridRegion,
    timeZone: tz,
    scope2Level: enterprise.scope2Level,
    factorSet: fs,
    period: { key: period.key, kind: period.kind, start: formatLocalIso(period.start, tz), end: formatLocalIso(period.end, tz) },
    points: coal.points,
    sites: coal.sites,
    tceEquivalent: toFigure(coal.tceEquivalent, 'tce', fs),
    tceEqualValue: coal.tceEqualValue ? toFigure(coal.tceEqualValue, 'tce', fs) : null,
    balances,
    carbon: carbon.figures,
    intensities: intensities(manual.production, coal, carbon.totalLocation, fs),
    manualEntries: manual.used,
    issues,
  };
}
