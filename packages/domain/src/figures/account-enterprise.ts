import type { Enterprise, MeteringPoint } from '../registry/manifest-schema.ts';
import type { RegisterReading, RegisterInterval } from '../counter/register-intervals.ts';
import type { AllocationOptions } from '../counter/allocate-to-period.ts';
import type { Period } from '../calendar/period.ts';
import { calendarPeriod } from '../calendar/period.ts';
import { formatLocalIso, localDate } from '../calendar/zoned-time.ts';
import type { FactorSet } from '../reference/factor-set.ts';
import { isCumulative } from '../quantities.ts';
import { tryConvertUnit, unitDimension } from '../units.ts';
import { DomainErrorCode } from '../errors.ts';
import { pointConsumption, type PointConsumption } from './point-consumption.ts';
import { energyBalance, type BalanceResult } from './energy-balance.ts';
import { emptyTerm, scaleTerm, sumTerms, toFigure, type Figure, type Term } from './figure.ts';

export interface AccountingOptions extends AllocationOptions {
  /** Also give standard coal with electricity at its equal value (等价值). */
  equalValue?: boolean;
  /** Balance threshold in percent on top of the uncertainty test, per site id or '*' for all. */
  balanceThresholdPercent?: Record<string, number>;
}

export interface AccountingIssue {
  code: string;
  message: string;
  pointId?: string;
}

export interface SuspectInterval {
  start: string;
  end: string;
  status: RegisterInterval['status'];
  startRegister: number;
  endRegister: number;
  rejectedDelta: number | null;
}

export interface PointFigures {
  id: string;
  name: string | null;
  siteId: string;
  carrier: string;
  quantity: string;
  role: string;
  parent: string | null;
  consumption: Figure;
  /** Standard coal, equivalent value, in tce (null when no coefficient applies). */
  tce: Figure | null;
  suspects: SuspectInterval[];
}

export interface CarbonFigures {
  /** Combustion, GB/T 32150: FC × NCV × CC × OF × 44/12, per fuel. */
  scope1: Figure;
  scope1ByFuel: Array<{ carrier: string; activity: Figure; co2: Figure }>;
  /** Purchased electricity × grid factor at the enterprise's level (GHG Protocol location-based). */
  scope2Location: Figure;
  scope2LocationFactor: { level: string; value: number; unit: string; source: string } | null;
  /** Contractual instruments first, then the residual-mix proxy (GHG Protocol market-based). */
  scope2Market: Figure;
  /** Purchased heat and steam × 0.11 tCO2/GJ. */
  purchasedHeat: Figure;
  /**
   * Exported electricity × the same grid factor, with a NEGATIVE sign: a deduction, shown
   * apart from scope 2 and used only in the net total.
   */
  exportedElectricity: Figure;
  /** scope1 + scope2Location + purchasedHeat. */
  totalLocation: Figure;
  /** scope1 + scope2Market + purchasedHeat. */
  totalMarket: Figure;
  /** totalLocation + exportedElectricity (net purchased electricity, as the Chinese guidelines count it). */
  totalLocationNetOfExports: Figure;
}

export interface EnterpriseFigures {
  id: string;
  name: string;
  region: string;
  gridRegion: string;
  timeZone: string;
  scope2Level: string;
  factorSet: string;
  period: { key: string; kind: string; start: string; end: string };
  points: PointFigures[];
  sites: Array<{ id: string; name: string; tce: Figure }>;
  /** Comprehensive energy consumption, GB/T 2589-2020: boundary inputs − boundary outputs, in tce. */
  tceEquivalent: Figure;
  tceEqualValue: Figure | null;
  balances: Array<BalanceResult & { siteId: string; carrier: string; unit: string; factorSet: string }>;
  carbon: CarbonFigures;
  /** Per unit of production; tCO2 only for enterprise-wide production (site carbon is not split). */
  intensities: Array<{ product: string; siteId: string | null; production: number; productionUnit: string; tcePerUnit: Figure; tCO2PerUnit: Figure | null }>;
  issues: AccountingIssue[];
}

const FUEL_CARRIERS = new Set(['natural-gas', 'diesel', 'gasoline', 'kerosene', 'fuel-oil', 'crude-oil', 'lpg', 'coke']);
const HEAT_CARRIERS = new Set(['steam', 'heat']);

const signOf = (p: MeteringPoint): 1 | -1 | 0 =>
  p.topology.role === 'boundary-input' ? 1 : p.topology.role === 'boundary-output' ? -1 : 0;

/** Converts a term between units of one dimension (uncertainty scales with it). */
function convertTerm(t: Term, from: string, to: string): Term | undefined {
  const r = tryConvertUnit(1, from, to);
  return r.ok ? scaleTerm(t, r.value, 0) : undefined;
}

/** A metering point that gets consumption, with the site it belongs to. */
export interface AccountedPoint {
  point: MeteringPoint;
  siteId: string;
}

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
 * The accounting from per-point consumption on: standard coal, balances, carbon,
 * intensities. `consumptions` holds `pointConsumption` results for this period and these
 * options, by point id, for the points of `cumulativePoints(enterprise)`; a point without
 * an entry had no readings.
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

  // 1. Consumption per point.
  const points = cumulativePoints(enterprise).map(({ point, siteId }) => {
    const pc = consumptions.get(point.id) ?? pointConsumption(point, [], period, tz, options);
    return { point, siteId, term: pc.term, suspects: pc.suspects };
  });

  // 2. Standard coal per point (GB/T 2589-2020, 4.2: E = Σ Eᵢ·kᵢ), equivalent and optionally equal value.
  const tceOf = (point: MeteringPoint, term: Term, electricityAtEqualValue: boolean, report = true): Term | undefined => {
    if (point.quantity.startsWith('reactive')) return undefined;
    let factor;
    if (point.carrier === 'electricity' && electricityAtEqualValue) {
      factor = factorSet.electricityEqualValue();
    } else {
      const dim = unitDimension(point.unit);
      const hint = dim === 'energy' ? 'energy' : dim === 'mass' ? 'mass' : 'volume';
      const r = factorSet.standardCoal(point.carrier, hint, point.steamPressureMPa);
      if (!r.ok) {
        if (report) issues.push({ code: r.error.code, message: r.error.message, pointId: point.id });
        return undefined;
      }
      factor = r.factor;
    }
    const activity = convertTerm(term, point.unit, factor.perUnit);
    if (!activity) {
      if (report) {
        issues.push({
          code: DomainErrorCode.IncompatibleUnits,
          message: `${point.id}: consumption in ${point.unit} cannot be converted to ${factor.perUnit} for the ${factor.key} coefficient`,
          pointId: point.id,
        });
      }
      return undefined;
    }
    // kgce → tce.
    return scaleTerm(activity, factor.value / 1000, factor.relativeUncertainty);
  };

  const pointFigures: PointFigures[] = [];
  const boundaryTce: Array<{ siteId: string; term: Term; sign: 1 | -1 }> = [];
  const boundaryTceEqual: Array<{ term: Term; sign: 1 | -1 }> = [];
  for (const { point, siteId, term, suspects } of points) {
    const tce = tceOf(point, term, false);
    const sign = signOf(point);
    if (sign !== 0) {
      if (tce) boundaryTce.push({ siteId, term: tce, sign });
      else if (!point.quantity.startsWith('reactive')) boundaryTce.push({ siteId, term: { ...emptyTerm(), coverage: term.coverage, flags: new Set(['incomplete']) }, sign });
      if (options.equalValue) {
        const eq = tceOf(point, term, point.carrier === 'electricity', false);
        if (eq) boundaryTceEqual.push({ term: eq, sign });
      }
    }
    pointFigures.push({
      id: point.id,
      name: point.name ?? null,
      siteId,
      carrier: point.carrier,
      quantity: point.quantity,
      role: point.topology.role,
      parent: point.topology.parent ?? null,
      consumption: toFigure(term, point.unit, fs),
      tce: tce ? toFigure(tce, 'tce', fs) : null,
      suspects: suspects.map((s) => ({
        start: formatLocalIso(s.start, tz),
        end: formatLocalIso(s.end, tz),
        status: s.status,
        startRegister: s.startValue,
        endRegister: s.endValue,
        rejectedDelta: s.rejectedDelta ?? null,
      })),
    });
  }
  const tceEquivalent = sumTerms(boundaryTce);
  const sites = enterprise.sites.map((s) => ({
    id: s.id,
    name: s.name,
    tce: toFigure(sumTerms(boundaryTce.filter((b) => b.siteId === s.id)), 'tce', fs),
  }));

  // 3. Energy balance per node with children.
  // Children indexed once, in point order: a filter per parent is quadratic in the points.
  const childrenOf = new Map<string, typeof points>();
  for (const c of points) {
    const parentId = c.point.topology.parent;
    if (parentId === undefined) continue;
    const siblings = childrenOf.get(parentId);
    if (siblings) siblings.push(c);
    else childrenOf.set(parentId, [c]);
  }
  const balances: EnterpriseFigures['balances'] = [];
  for (const parent of points) {
    const children = childrenOf.get(parent.point.id);
    if (children === undefined) continue;
    const converted = children.map((c) => ({ id: c.point.id, term: convertTerm(c.term, c.point.unit, parent.point.unit) }));
    if (converted.some((c) => c.term === undefined)) {
      issues.push({ code: DomainErrorCode.IncompatibleUnits, message: `balance of ${parent.point.id}: a child's unit does not convert to ${parent.point.unit}`, pointId: parent.point.id });
      continue;
    }
    const threshold = options.balanceThresholdPercent?.[parent.siteId] ?? options.balanceThresholdPercent?.['*'];
    balances.push({
      ...energyBalance({
        parentId: parent.point.id,
        parent: parent.term,
        children: converted as Array<{ id: string; term: Term }>,
        ...(threshold !== undefined ? { thresholdPercent: threshold } : {}),
      }),
      siteId: parent.siteId,
      carrier: parent.point.carrier,
      unit: parent.point.unit,
      factorSet: fs,
    });
  }

  // 4. Carbon.
  const boundary = points.filter((p) => signOf(p.point) !== 0);
  const periodStartDate = localDate(period.start, tz);

  const scope1ByFuel: CarbonFigures['scope1ByFuel'] = [];
  const scope1Terms: Term[] = [];
  for (const p of boundary.filter((b) => signOf(b.point) === 1 && FUEL_CARRIERS.has(b.point.carrier))) {
    const fuel = factorSet.fuel(p.point.carrier);
    if (!fuel.ok) {
      issues.push({ code: fuel.error.code, message: fuel.error.message, pointId: p.point.id });
      continue;
    }
    const activity = convertTerm(p.term, p.point.unit, fuel.factor.perUnit);
    if (!activity) {
      issues.push({
        code: DomainErrorCode.IncompatibleUnits,
        message: `${p.point.id}: ${p.point.unit} does not convert to ${fuel.factor.perUnit}; meter gas at normal conditions (Nm3) for scope 1`,
        pointId: p.point.id,
      });
      scope1Terms.push({ ...emptyTerm(), coverage: p.term.coverage, flags: new Set(['incomplete']) });
      continue;
    }
    // GB/T 32150 formula: E = FC × NCV × CC × OF × 44/12; co2PerUnit is that product per unit of FC.
    const co2 = scaleTerm(activity, fuel.factor.co2PerUnit, fuel.factor.relativeUncertainty);
    scope1Terms.push(co2);
    scope1ByFuel.push({ carrier: p.point.carrier, activity: toFigure(activity, fuel.factor.perUnit, fs), co2: toFigure(co2, 'tCO2', fs) });
  }

  const isActiveElectric = (p: MeteringPoint) => p.carrier === 'electricity' && p.quantity.startsWith('active-energy');
  const toMWh = (p: { point: MeteringPoint; term: Term }) => convertTerm(p.term, p.point.unit, 'MWh')!;
  const imports = sumTerms(boundary.filter((b) => signOf(b.point) === 1 && isActiveElectric(b.point)).map((b) => ({ term: toMWh(b) })));
  const exports = sumTerms(boundary.filter((b) => signOf(b.point) === -1 && isActiveElectric(b.point)).map((b) => ({ term: toMWh(b) })));

  const grid = factorSet.gridFactor({ level: enterprise.scope2Level, region: enterprise.region, gridRegion: enterprise.gridRegion, date: periodStartDate });
  const incomplete = (coverage: number): Term => ({ ...emptyTerm(), coverage, flags: new Set(['incomplete']) });
  let scope2Location: Term;
  let exported: Term;
  if (grid.ok) {
    scope2Location = scaleTerm(imports, grid.factor.value, grid.factor.relativeUncertainty);
    exported = scaleTerm(exports, -grid.factor.value, grid.factor.relativeUncertainty);
  } else {
    issues.push({ code: grid.error.code, message: grid.error.message });
    scope2Location = incomplete(imports.coverage);
    exported = incomplete(exports.coverage);
  }

  // Market-based: instruments valid in the period, pro rata to the overlap of their validity.
  const residual = factorSet.residualMixFactor();
  let scope2Market: Term;
  if (!residual.ok) {
    issues.push({ code: residual.error.code, message: residual.error.message });
    scope2Market = incomplete(imports.coverage);
  } else {
    let coveredMWh = 0;
    let instrumentCO2 = 0;
    // d(CO2)/d(imports): the residual factor, or the last instrument's when instruments cover everything.
    let marginalFactor = residual.factor.value;
    for (const c of enterprise.contractualInstruments ?? []) {
      const from = calendarPeriod(c.validFrom, tz).start;
      const until = calendarPeriod(c.validUntil, tz).end;
      const overlap = Math.min(until, period.end) - Math.max(from, period.start);
      if (overlap <= 0) continue;
      const mwh = (tryConvertUnit(c.energy.value, c.energy.unit, 'MWh') as { ok: true; value: number }).value * (overlap / (until - from));
      const take = Math.max(0, Math.min(mwh, imports.value - coveredMWh));
      coveredMWh += take;
      instrumentCO2 += take * c.emissionFactor;
      if (take > 0 && coveredMWh >= imports.value) marginalFactor = c.emissionFactor;
    }
    const residualMWh = imports.value - coveredMWh;
    const residualCO2 = residualMWh * residual.factor.value;
    // Instrument volumes are contractual (exact); the metering uncertainty of the imports
    // propagates through the marginal factor (GUM 5.1.3 sensitivity coefficient).
    const flags = new Set(imports.flags);
    if (residualMWh > 0 && residual.factor.relativeUncertainty === undefined) flags.add('factor-uncertainty-unknown');
    scope2Market = {
      ...imports,
      flags,
      value: residualCO2 + instrumentCO2,
      u: Math.abs(marginalFactor) * imports.u,
      estimated: imports.value === 0 ? 0 : (imports.estimated / imports.value) * (residualCO2 + instrumentCO2),
    };
  }

  const heatTerms: Term[] = [];
  for (const p of boundary.filter((b) => signOf(b.point) === 1 && HEAT_CARRIERS.has(b.point.carrier))) {
    const gj = convertTerm(p.term, p.point.unit, 'GJ');
    if (!gj) {
      issues.push({
        code: DomainErrorCode.IncompatibleUnits,
        message: `${p.point.id}: purchased ${p.point.carrier} metered in ${p.point.unit}; its CO2 needs heat in GJ (mass needs an enthalpy)`,
        pointId: p.point.id,
      });
      heatTerms.push(incomplete(p.term.coverage));
      continue;
    }
    const f = factorSet.purchasedHeatFactor();
    heatTerms.push(scaleTerm(gj, f.value, f.relativeUncertainty));
  }
  const scope1 = sumTerms(scope1Terms.map((term) => ({ term })));
  const purchasedHeat = sumTerms(heatTerms.map((term) => ({ term })));
  const totalLocation = sumTerms([{ term: scope1 }, { term: scope2Location }, { term: purchasedHeat }]);
  const totalMarket = sumTerms([{ term: scope1 }, { term: scope2Market }, { term: purchasedHeat }]);
  // Scope 2 and the export deduction use the same factor, so their errors are correlated; this
  // sum adds them in quadrature all the same, which slightly overstates U when exports are large.
  const totalNet = sumTerms([{ term: totalLocation }, { term: exported }]);

  // 5. Intensities for production recorded for exactly this period.
  const intensities: EnterpriseFigures['intensities'] = [];
  for (const prod of enterprise.production ?? []) {
    if (prod.period !== period.key || prod.value <= 0) continue;
    const tceTerm = prod.site ? sumTerms(boundaryTce.filter((b) => b.siteId === prod.site)) : tceEquivalent;
    intensities.push({
      product: prod.product,
      siteId: prod.site ?? null,
      production: prod.value,
      productionUnit: prod.unit,
      tcePerUnit: toFigure(scaleTerm(tceTerm, 1 / prod.value, 0), `tce/${prod.unit}`, fs),
      tCO2PerUnit: prod.site ? null : toFigure(scaleTerm(totalLocation, 1 / prod.value, 0), `tCO2/${prod.unit}`, fs),
    });
  }

  return {
    id: enterprise.id,
    name: enterprise.name,
    region: enterprise.region,
    gridRegion: enterprise.gridRegion,
    timeZone: tz,
    scope2Level: enterprise.scope2Level,
    factorSet: fs,
    period: { key: period.key, kind: period.kind, start: formatLocalIso(period.start, tz), end: formatLocalIso(period.end, tz) },
    points: pointFigures,
    sites,
    tceEquivalent: toFigure(tceEquivalent, 'tce', fs),
    tceEqualValue: options.equalValue ? toFigure(sumTerms(boundaryTceEqual), 'tce', fs) : null,
    balances,
    carbon: {
      scope1: toFigure(scope1, 'tCO2', fs),
      scope1ByFuel,
      scope2Location: toFigure(scope2Location, 'tCO2', fs),
      scope2LocationFactor: grid.ok ? { level: enterprise.scope2Level, value: grid.factor.value, unit: grid.factor.unit, source: grid.factor.source } : null,
      scope2Market: toFigure(scope2Market, 'tCO2', fs),
      purchasedHeat: toFigure(purchasedHeat, 'tCO2', fs),
      exportedElectricity: toFigure(exported, 'tCO2', fs),
      totalLocation: toFigure(totalLocation, 'tCO2', fs),
      totalMarket: toFigure(totalMarket, 'tCO2', fs),
      totalLocationNetOfExports: toFigure(totalNet, 'tCO2', fs),
    },
    intensities,
    issues,
  };
}
