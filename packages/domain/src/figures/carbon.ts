import type { Enterprise, MeteringPoint } from '../registry/manifest-schema.ts';
import type { Period } from '../calendar/period.ts';
import { calendarPeriod } from '../calendar/period.ts';
import { localDate } from '../calendar/zoned-time.ts';
import type { FactorSet } from '../reference/factor-set.ts';
import { tryConvertUnit } from '../units.ts';

import { scaleTerm, sumTerms, toFigure, type Term } from './figure.ts';
import { boundarySign, convertTerm, incompleteTerm, type AccountingIssue, type CarbonFigures, type ConsumedPoint } from './enterprise-figures.ts';

const FUEL_CARRIERS = new Set(['natural-gas', 'diesel', 'gasoline', 'kerosene', 'fuel-oil', 'crude-oil', 'lpg', 'coke']);
const HEAT_CARRIERS = new Set(['steam', 'heat']);

const isActiveElectric = (p: MeteringPoint): boolean => p.carrier === 'electricity' && p.quantity.startsWith('active-energy');

/** Scope 1, combustion of the fuels entering the boundary (GB/T 32150): E = FC × NCV × CC × OF × 44/12 per fuel. */
function scope1Combustion(inputs: readonly ConsumedPoint[], factorSet: FactorSet, issues: AccountingIssue[]): { total: Term; byFuel: CarbonFigures['scope1ByFuel'] } {
  const byFuel: CarbonFigures['scope1ByFuel'] = [];
  const terms: Term[] = [];
  for (const p of inputs.filter((b) => FUEL_CARRIERS.has(b.point.carrier))) {
    const fuel = factorSet.fuel(p.point.carrier);
    if (!fuel.ok) {
      issues.push({ code: fuel.error.code, message: fuel.error.message, pointId: p.point.id });
      continue;
    }
    const activity = convertTerm(p.term, p.point.unit, fuel.factor.perUnit);
    if (!activity) {
      issues.push({
        code: 'MTL_DOMAIN_INCOMPATIBLE_UNITS',
        message: `${p.point.id}: ${p.point.unit} does not convert to ${fuel.factor.perUnit}; meter gas at normal conditions (Nm3) for scope 1`,
        pointId: p.point.id,
      });
      terms.push(incompleteTerm(p.term));
      continue;
    }
    // co2PerUnit is the product NCV × CC × OF × 44/12 per unit of FC.
    const co2 = scaleTerm(activity, fuel.factor.co2PerUnit, fuel.factor.relativeUncertainty);
    terms.push(co2);
    byFuel.push({ carrier: p.point.carrier, activity: toFigure(activity, fuel.factor.perUnit, factorSet.id), co2: toFigure(co2, 'tCO2', factorSet.id) });
  }
  return { total: sumTerms(terms.map((term) => ({ term }))), byFuel };
}

/**
 * Scope 2 market-based (GHG Protocol Scope 2 Guidance, ch. 6): the contractual instruments valid
 * in the period, pro rata to the overlap of their validity, cover the imports first; the rest
 * takes the residual-mix factor.
 */
function scope2MarketBased(enterprise: Enterprise, period: Period, importsMWh: Term, factorSet: FactorSet, issues: AccountingIssue[]): Term {
  const residual = factorSet.residualMixFactor();
  if (!residual.ok) {
    issues.push({ code: residual.error.code, message: residual.error.message });
    return incompleteTerm(importsMWh);
  }
  const tz = enterprise.timeZone;
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
    const take = Math.max(0, Math.min(mwh, importsMWh.value - coveredMWh));
    coveredMWh += take;
    instrumentCO2 += take * c.emissionFactor;
    if (take > 0 && coveredMWh >= importsMWh.value) marginalFactor = c.emissionFactor;
  }
  const residualMWh = importsMWh.value - coveredMWh;
  const residualCO2 = residualMWh * residual.factor.value;
  // Instrument volumes are contractual (exact); the metering uncertainty of the imports
  // propagates through the marginal factor (GUM 5.1.3 sensitivity coefficient).
  const flags = new Set(importsMWh.flags);
  if (residualMWh > 0 && residual.factor.relativeUncertainty === undefined) flags.add('factor-uncertainty-unknown');
  return {
    ...importsMWh,
    flags,
    value: residualCO2 + instrumentCO2,
    u: Math.abs(marginalFactor) * importsMWh.u,
    estimated: importsMWh.value === 0 ? 0 : (importsMWh.estimated / importsMWh.value) * (residualCO2 + instrumentCO2),
  };
}

/** Purchased heat and steam entering the boundary, in GJ, × the purchased-heat factor. */
function purchasedHeatCO2(inputs: readonly ConsumedPoint[], factorSet: FactorSet, issues: AccountingIssue[]): Term {
  const terms: Term[] = [];
  for (const p of inputs.filter((b) => HEAT_CARRIERS.has(b.point.carrier))) {
    const gj = convertTerm(p.term, p.point.unit, 'GJ');
    if (!gj) {
      issues.push({
        code: 'MTL_DOMAIN_INCOMPATIBLE_UNITS',
        message: `${p.point.id}: purchased ${p.point.carrier} metered in ${p.point.unit}; its CO2 needs heat in GJ (mass needs an enthalpy)`,
        pointId: p.point.id,
      });
      terms.push(incompleteTerm(p.term));
      continue;
    }
    const f = factorSet.purchasedHeatFactor();
    terms.push(scaleTerm(gj, f.value, f.relativeUncertainty));
  }
  return sumTerms(terms.map((term) => ({ term })));
}

/**
 * The enterprise's carbon over the period from its boundary points: scope 1 per fuel, scope 2
 * location- and market-based, purchased heat, the export deduction and the totals.
 * `totalLocation` is returned as a term too, for the intensities.
 */
export function enterpriseCarbon(
  enterprise: Enterprise,
  points: readonly ConsumedPoint[],
  period: Period,
  factorSet: FactorSet,
  issues: AccountingIssue[],
): { figures: CarbonFigures; totalLocation: Term } {
  const fs = factorSet.id;
  const inputs = points.filter((p) => boundarySign(p.point) === 1);
  const outputs = points.filter((p) => boundarySign(p.point) === -1);
  const scope1 = scope1Combustion(inputs, factorSet, issues);

  const toMWh = (p: ConsumedPoint) => convertTerm(p.term, p.point.unit, 'MWh')!;
  const imports = sumTerms(inputs.filter((b) => isActiveElectric(b.point)).map((b) => ({ term: toMWh(b) })));
  const exports = sumTerms(outputs.filter((b) => isActiveElectric(b.point)).map((b) => ({ term: toMWh(b) })));

  const grid = factorSet.gridFactor({ level: enterprise.scope2Level, region: enterprise.region, gridRegion: enterprise.gridRegion, date: localDate(period.start, enterprise.timeZone) });
  let scope2Location: Term;
  let exported: Term;
  if (grid.ok) {
    scope2Location = scaleTerm(imports, grid.factor.value, grid.factor.relativeUncertainty);
    exported = scaleTerm(exports, -grid.factor.value, grid.factor.relativeUncertainty);
  } else {
    issues.push({ code: grid.error.code, message: grid.error.message });
    scope2Location = incompleteTerm(imports);
    exported = incompleteTerm(exports);
  }
  const scope2Market = scope2MarketBased(enterprise, period, imports, factorSet, issues);
  const purchasedHeat = purchasedHeatCO2(inputs, factorSet, issues);

  const totalLocation = sumTerms([{ term: scope1.total }, { term: scope2Location }, { term: purchasedHeat }]);
  const totalMarket = sumTerms([{ term: scope1.total }, { term: scope2Market }, { term: purchasedHeat }]);
  // Scope 2 and the export deduction use the same factor, so their errors are correlated; this
  // sum adds them in quadrature all the same, which slightly overstates U when exports are large.
  const totalNet = sumTerms([{ term: totalLocation }, { term: exported }]);
  return {
    totalLocation,
    figures: {
      scope1: toFigure(scope1.total, 'tCO2', fs),
      scope1ByFuel: scope1.byFuel,
      scope2Location: toFigure(scope2Location, 'tCO2', fs),
      scope2LocationFactor: grid.ok ? { level: enterprise.scope2Level, value: grid.factor.value, unit: grid.factor.unit, source: grid.factor.source } : null,
      scope2Market: toFigure(scope2Market, 'tCO2', fs),
      purchasedHeat: toFigure(purchasedHeat, 'tCO2', fs),
      exportedElectricity: toFigure(exported, 'tCO2', fs),
      totalLocation: toFigure(totalLocation, 'tCO2', fs),
      totalMarket: toFigure(totalMarket, 'tCO2', fs),
      totalLocationNetOfExports: toFigure(totalNet, 'tCO2', fs),
    },
  };
}
