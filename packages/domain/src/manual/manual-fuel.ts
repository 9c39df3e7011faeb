import type { Carrier } from '../carriers.ts';
import { calendarPeriod, type Period } from '../calendar/period.ts';
import type { Enterprise, MeteringPoint } from '../registry/manifest-schema.ts';
import type { QualityFlag } from '../quality/quality-flag.ts';
import { combineSum, relativeUncertaintyFromAccuracyClass } from '../uncertainty/gum.ts';
import { convertUnit } from '../units.ts';
import { emptyTerm, type Term } from '../figures/figure.ts';
import { boundarySign, incompleteTerm, type AccountingIssue, type ConsumedPoint } from '../figures/enterprise-figures.ts';
import { entrySite, FUEL_ENTRY_KINDS, periodLastDay, type ManualEntry } from './manual-entry.ts';

/** A fuel's consumption is accounted in tonnes: the unit of GB/T 32150's combustion parameters. */
const FUEL_UNIT = 't';

/**
 * The id of the stand-in point a manually accounted fuel is reported under. ':' is outside the
 * registry's id alphabet, so no metering point can have it.
 */
const manualFuelPointId = (carrier: string): string => `manual:${carrier}`;

/** The entry's value in tonnes and its standard uncertainty, undefined when it declared none. */
function massOf(entry: ManualEntry): { t: number; u: number | undefined } {
  const t = convertUnit(entry.value, entry.unit, FUEL_UNIT);
  return { t, u: entry.errorPercent === undefined ? undefined : t * relativeUncertaintyFromAccuracyClass(entry.errorPercent) };
}

/** The instant a stock entry stands for: the end of its month or day. */
const stockInstant = (entry: ManualEntry, timeZone: string): number => calendarPeriod(periodLastDay(entry.period)!, timeZone).end;

/**
 * The stand-in metering point: a boundary input of the site, by mass in t, so standard coal
 * (GB/T 2589) and scope 1 (GB/T 32150) treat the fuel like a metered one. Its calibration and
 * accuracy class are never read for it: its uncertainty comes from the entries.
 */
function standInPoint(carrier: Carrier): MeteringPoint {
  return {
    id: manualFuelPointId(carrier),
    name: `${carrier}: opening stock + deliveries − closing stock (manual entries)`,
    carrier,
    quantity: 'mass',
    unit: FUEL_UNIT,
    accuracyClass: 100,
    calibration: { certificate: 'manual entries', validFrom: '0001-01-01', validUntil: '9999-12-31' },
    topology: { role: 'boundary-input' },
  };
}

/** One stock the period needs, if exactly one entry states it; several are a conflict reported as an issue. */
function stockAt(stocks: readonly ManualEntry[], instant: number, timeZone: string): ManualEntry[] {
  return stocks.filter((s) => stockInstant(s, timeZone) === instant);
}

/**
 * The fuels an enterprise records only by deliveries and stock, accounted for a period made of
 * whole months (a month or a year), by the energy statistics' stock balance (NBS energy
 * statistics reporting system, form 205-1, purchases, consumption and stock of energy):
 *
 *   consumption = opening stock (the closing stock of the period before) + deliveries − closing stock
 *
 * per site and fuel, in t. Uncertainty: the entries are independent measurements (tank dips,
 * weighbridge tickets), each with its declared maximum error read as rectangular (u = a/√3),
 * added in quadrature (GUM 5.1.2); an entry without one adds nothing and flags the figure
 * manual-uncertainty-unknown. Opening and closing dips of one tank share their method and may be
 * correlated: quadrature is then slightly pessimistic for a systematic error, which cancels in
 * the difference. A stock missing at either end, or stated twice, leaves the fuel unbooked
 * (incomplete, coverage 0) with an issue: a missing stock is not a zero.
 *
 * Shorter periods get no share of a monthly fuel (it is not apportioned over days): one issue
 * per fuel says so. A fuel also metered at a boundary input of its site keeps its metered
 * consumption; its manual entries are not added (an issue says so).
 */
export function manualFuels(
  enterprise: Enterprise,
  period: Period,
  effective: readonly ManualEntry[],
  metered: readonly ConsumedPoint[],
  issues: AccountingIssue[],
  used: Set<string>,
): ConsumedPoint[] {
  const tz = enterprise.timeZone;
  const groups = new Map<string, { siteId: string; carrier: Carrier; entries: ManualEntry[] }>();
  for (const e of effective) {
    const siteId = entrySite(e, enterprise);
    if (!FUEL_ENTRY_KINDS.has(e.kind) || siteId === undefined || e.carrier === undefined) continue;
    const key = `${siteId}|${e.carrier}`;
    const group = groups.get(key) ?? { siteId, carrier: e.carrier as Carrier, entries: [] };
    group.entries.push(e);
    groups.set(key, group);
  }

  const fuels: ConsumedPoint[] = [];
  for (const { siteId, carrier, entries } of groups.values()) {
    const id = manualFuelPointId(carrier);
    const deliveries = entries.filter((e) => e.kind === 'fuel-delivery');
    const stocks = entries.filter((e) => e.kind === 'fuel-stock');
    const inPeriod = deliveries.filter((d) => {
      const p = calendarPeriod(d.period, tz);
      return p.start >= period.start && p.end <= period.end;
    });
    const opening = stockAt(stocks, period.start, tz);
    const closing = stockAt(stocks, period.end, tz);
    if (inPeriod.length === 0 && opening.length === 0 && closing.length === 0) {
      // No entry of this fuel bears on the period, except that a shorter period inside a month with entries is said not to get a share.
      if (period.kind !== 'month' && period.kind !== 'year' && entries.some((e) => overlaps(e, period, tz))) {
        issues.push({ code: 'MTL_DOMAIN_MANUAL_NOT_APPORTIONED', message: `${id} of site ${siteId} is accounted per month from deliveries and stock: it is not in figures of a ${period.kind}`, pointId: id });
      }
      continue;
    }
    if (period.kind !== 'month' && period.kind !== 'year') {
      issues.push({ code: 'MTL_DOMAIN_MANUAL_NOT_APPORTIONED', message: `${id} of site ${siteId} is accounted per month from deliveries and stock: it is not in figures of a ${period.kind}`, pointId: id });
      continue;
    }
    const meteredAt = metered.find((p) => p.siteId === siteId && p.point.carrier === carrier && boundarySign(p.point) === 1);
    if (meteredAt) {
      issues.push({
        code: 'MTL_DOMAIN_MANUAL_FUEL_METERED',
        message: `${carrier} of site ${siteId} is metered at ${meteredAt.point.id}: its metered consumption counts, the manual deliveries and stock are not added`,
        pointId: id,
      });
      continue;
    }
    for (const e of [...opening, ...closing, ...inPeriod]) used.add(e.id);
    const point = standInPoint(carrier);
    const missing = [opening.length !== 1 ? 'opening' : undefined, closing.length !== 1 ? 'closing' : undefined].filter((x) => x !== undefined);
    if (missing.length > 0) {
      const told = (list: ManualEntry[], side: string) => (list.length > 1 ? `${side} stock stated by ${list.length} entries (${list.map((e) => e.id).join(', ')})` : `no ${side} stock`);
      issues.push({
        code: 'MTL_DOMAIN_MANUAL_STOCK_MISSING',
        message: `${id} of site ${siteId}, ${period.key}: ${missing.map((side) => told(side === 'opening' ? opening : closing, side)).join(' and ')}; the opening stock is the closing stock of the period before. Not booked`,
        pointId: id,
      });
      fuels.push({ point, siteId, term: { ...incompleteTerm({ coverage: 0, readingsReceived: 0, readingsExpected: 0 }), flags: new Set<QualityFlag>(['incomplete', 'manual']) }, suspects: [] });
      continue;
    }
    const open = massOf(opening[0]!);
    const close = massOf(closing[0]!);
    const delivered = inPeriod.map(massOf);
    const value = open.t + delivered.reduce((s, d) => s + d.t, 0) - close.t;
    const parts = [open, close, ...delivered];
    const flags = new Set<QualityFlag>(['manual']);
    if (parts.some((p) => p.u === undefined)) flags.add('manual-uncertainty-unknown');
    if (value < 0) {
      issues.push({
        code: 'MTL_DOMAIN_MANUAL_NEGATIVE_CONSUMPTION',
        message: `${id} of site ${siteId}, ${period.key}: opening ${open.t} t + deliveries ${value - open.t + close.t} t − closing ${close.t} t = ${value} t; the entries contradict each other. Not booked`,
        pointId: id,
      });
      fuels.push({ point, siteId, term: { ...incompleteTerm({ coverage: 0, readingsReceived: 0, readingsExpected: 0 }), flags: new Set<QualityFlag>(['incomplete', 'manual']) }, suspects: [] });
      continue;
    }
    const term: Term = { ...emptyTerm(), value, u: combineSum(parts.map((p) => p.u ?? 0)), flags };
    fuels.push({ point, siteId, term, suspects: [] });
  }
  return fuels;
}

/** True when the entry's own month or day overlaps the period. */
function overlaps(entry: ManualEntry, period: Period, timeZone: string): boolean {
  const p = calendarPeriod(entry.kind === 'fuel-stock' ? periodLastDay(entry.period)!.slice(0, 7) : entry.period, timeZone);
  return p.start < period.end && period.start < p.end;
}
