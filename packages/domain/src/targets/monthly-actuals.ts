import { DomainError } from '../errors.ts';
import { combineSum } from '../uncertainty/gum.ts';

/** A measured value with its standard uncertainty u (k = 1), in the quantity's unit. */
export interface Measured {
  value: number;
  u: number;
}

/**
 * One holder's (an enterprise's or a region's) month, as dual-control progress needs it. A
 * quantity not known for the month is absent, never zero.
 */
export interface MonthlyActuals {
  /** YYYY-MM, in the holder's local calendar. */
  month: string;
  /** Comprehensive energy consumption in tce, electricity counted at its equivalent or its equal value. */
  energy: { equivalent?: Measured; equalValue?: Measured };
  /** Total CO2, location-based, in tCO2. */
  co2?: Measured;
  /** Value added, in 10^4 CNY. */
  valueAdded?: Measured;
}

export const ACTUAL_QUANTITIES = ['energy-equivalent', 'energy-equal-value', 'co2', 'value-added'] as const;
export type ActualQuantity = (typeof ACTUAL_QUANTITIES)[number];

/** The quantity of a month, or undefined when it is not known. */
export function actualOf(m: MonthlyActuals, quantity: ActualQuantity): Measured | undefined {
  switch (quantity) {
    case 'energy-equivalent':
      return m.energy.equivalent;
    case 'energy-equal-value':
      return m.energy.equalValue;
    case 'co2':
      return m.co2;
    case 'value-added':
      return m.valueAdded;
  }
}

function withActual(m: MonthlyActuals, quantity: ActualQuantity, q: Measured): MonthlyActuals {
  switch (quantity) {
    case 'energy-equivalent':
      return { ...m, energy: { ...m.energy, equivalent: q } };
    case 'energy-equal-value':
      return { ...m, energy: { ...m.energy, equalValue: q } };
    case 'co2':
      return { ...m, co2: q };
    case 'value-added':
      return { ...m, valueAdded: q };
  }
}

const MONTH = /^\d{4}-(0[1-9]|1[0-2])$/;
export const isMonthKey = (key: string): boolean => MONTH.test(key);

const invalid = (field: string, message: string): DomainError =>
  new DomainError('MTL_DOMAIN_TARGET_ACTUALS_INVALID', `${field}: ${message}`, { field });

/**
 * Checks a holder's months: each a YYYY-MM given once, each quantity a finite value with a
 * finite u ≥ 0. Throws MTL_DOMAIN_TARGET_ACTUALS_INVALID naming the first bad field.
 */
export function checkMonthlyActuals(months: readonly MonthlyActuals[], holder: string): void {
  const seen = new Set<string>();
  for (const m of months) {
    const at = `${holder} ${String(m.month)}`;
    if (typeof m.month !== 'string' || !isMonthKey(m.month)) throw invalid(`${holder}.month`, `"${String(m.month)}" is not a month YYYY-MM`);
    if (seen.has(m.month)) throw invalid(`${at}.month`, 'the month is given twice');
    seen.add(m.month);
    for (const quantity of ACTUAL_QUANTITIES) {
      const q = actualOf(m, quantity);
      if (q === undefined) continue;
      if (!Number.isFinite(q.value)) throw invalid(`${at}.${quantity}.value`, `${q.value} is not a finite number`);
      if (!Number.isFinite(q.u) || q.u < 0) throw invalid(`${at}.${quantity}.u`, `${q.u} is not a standard uncertainty (finite, ≥ 0)`);
    }
  }
}

export interface EnterpriseMonths {
  enterpriseId: string;
  months: readonly MonthlyActuals[];
}

/** A region's month: the quantities every expected enterprise has, and who lacks the others. */
export interface RegionMonth extends MonthlyActuals {
  /** Per enterprise, the quantities some enterprise of the region has for the month but it lacks. */
  missing: Array<{ enterpriseId: string; quantities: ActualQuantity[] }>;
}

/**
 * A region's months from its enterprises' months: for each month and quantity, the sum over
 * the enterprises. The value of an independent sum is the sum of the values; its standard
 * uncertainty is the root sum of squares, u(Σxᵢ)² = Σu(xᵢ)² (GUM 5.1.2, JJF 1059.1-2012
 * 4.4.2), because each enterprise is metered by its own meters: their errors are independent.
 *
 * A region's quantity counts for a month only when every expected enterprise has it; else
 * it is absent and `missing` names the enterprises that lack it, so a region is never
 * under-counted by a late enterprise. An enterprise given but not expected, or given twice,
 * is an error: its months would otherwise be silently dropped or counted twice.
 */
export function regionMonths(expectedEnterpriseIds: readonly string[], enterprises: readonly EnterpriseMonths[]): RegionMonth[] {
  const expected = new Set(expectedEnterpriseIds);
  if (expected.size !== expectedEnterpriseIds.length) throw invalid('expectedEnterpriseIds', 'an enterprise is expected twice');
  const byEnterprise = new Map<string, Map<string, MonthlyActuals>>();
  for (const e of enterprises) {
    if (!expected.has(e.enterpriseId)) throw invalid('enterprises', `${e.enterpriseId} is not an expected enterprise of the region`);
    if (byEnterprise.has(e.enterpriseId)) throw invalid('enterprises', `${e.enterpriseId} is given twice`);
    checkMonthlyActuals(e.months, e.enterpriseId);
    byEnterprise.set(e.enterpriseId, new Map(e.months.map((m) => [m.month, m])));
  }
  const months = [...new Set(enterprises.flatMap((e) => e.months.map((m) => m.month)))].sort();
  return months.map((month) => {
    let region: MonthlyActuals = { month, energy: {} };
    const missing = new Map<string, ActualQuantity[]>();
    for (const quantity of ACTUAL_QUANTITIES) {
      const parts = expectedEnterpriseIds.map((id) => {
        const m = byEnterprise.get(id)?.get(month);
        return { id, q: m === undefined ? undefined : actualOf(m, quantity) };
      });
      // A quantity nobody reports for the month (an energy basis not computed) is not missing.
      if (parts.every((p) => p.q === undefined)) continue;
      const lacking = parts.filter((p) => p.q === undefined);
      for (const p of lacking) missing.set(p.id, [...(missing.get(p.id) ?? []), quantity]);
      if (lacking.length > 0) continue;
      const qs = parts.map((p) => p.q!);
      region = withActual(region, quantity, { value: qs.reduce((s, q) => s + q.value, 0), u: combineSum(qs.map((q) => q.u)) });
    }
    const lackingEnterprises = expectedEnterpriseIds.filter((id) => missing.has(id));
    return { ...region, missing: lackingEnterprises.map((enterpriseId) => ({ enterpriseId, quantities: missing.get(enterpriseId)! })) };
  });
}
