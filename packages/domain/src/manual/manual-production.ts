import type { Period } from '../calendar/period.ts';
import type { Enterprise } from '../registry/manifest-schema.ts';
import { relativeUncertaintyFromAccuracyClass } from '../uncertainty/gum.ts';
import type { AccountingIssue } from '../figures/enterprise-figures.ts';
import { MONEY_REPORTING_UNIT, MONEY_UNITS, type ManualEntry } from './manual-entry.ts';

/** What an intensity is per: a product's output, or the output value or value added, for exactly one period. */
export interface ProductionInput {
  product: string;
  siteId: string | null;
  value: number;
  unit: string;
  /** Relative standard uncertainty of `value`; 0 for a counted quantity with no declared error. */
  relativeU: number;
  /** Entered by hand (the intensity is flagged manual), or from the registry manifest. */
  manual: boolean;
}

/** The products intensities name output value and value added by: the indicators of energy intensity (tce per 10^4 CNY). */
export const MONEY_PRODUCTS = Object.freeze({ 'output-value': 'output-value', 'value-added': 'value-added' } as const);

/**
 * The denominators of the period's intensities: the manifest's production of exactly this
 * period, the manual production entries of it, and its output value and value added (tce per
 * 10^4 CNY of value added is the energy-intensity indicator of dual control).
 *
 * A manual entry and the manifest stating the same product, site and period: the manual entry
 * counts (it is the filed monthly figure, entered with its document, and corrected in the open
 * when wrong; the manifest's is usually a plan keyed in once) and an issue names both values.
 *
 * Production, output value and value added are booked quantities, not measurements: without a
 * declared error they are taken as exact, like the manifest's production. The ids of the
 * manual entries used go to `used`.
 */
export function productionInputs(enterprise: Enterprise, period: Period, effective: readonly ManualEntry[], issues: AccountingIssue[], used: Set<string>): ProductionInput[] {
  const manual: ProductionInput[] = [];
  const ids = new Map<ProductionInput, string>();
  for (const e of effective) {
    if (e.period !== period.key || e.value <= 0) continue;
    const relativeU = e.errorPercent === undefined ? 0 : relativeUncertaintyFromAccuracyClass(e.errorPercent);
    if (e.kind === 'production' && e.product !== undefined) {
      const input = { product: e.product, siteId: e.site ?? null, value: e.value, unit: e.unit, relativeU, manual: true };
      manual.push(input);
      ids.set(input, e.id);
    } else if (e.kind === 'output-value' || e.kind === 'value-added') {
      // 10^4 CNY, the statistics' unit: 1 234 000 CNY is 123.4 (10^4 CNY).
      const input = { product: MONEY_PRODUCTS[e.kind], siteId: null, value: (e.value * MONEY_UNITS[e.unit]!) / MONEY_UNITS[MONEY_REPORTING_UNIT]!, unit: MONEY_REPORTING_UNIT, relativeU, manual: true };
      manual.push(input);
      ids.set(input, e.id);
    }
  }
  const sameKey = (a: { product: string; siteId: string | null }, b: { product: string; siteId: string | null }) => a.product === b.product && a.siteId === b.siteId;
  // Two standing entries for one product and period (entered around each other's check): neither is picked silently.
  const twice = manual.filter((m, i) => manual.some((o, j) => j !== i && sameKey(o, m)));
  for (const m of twice.filter((m, i) => twice.findIndex((o) => sameKey(o, m)) === i)) {
    issues.push({ code: 'MTL_DOMAIN_MANUAL_ENTRY_CONFLICT', message: `${m.product}${m.siteId ? ` at ${m.siteId}` : ''}, ${period.key}: stated by more than one standing manual entry; no intensity until one is corrected` });
  }
  const single = manual.filter((m) => !twice.includes(m));
  const fromManifest: ProductionInput[] = [];
  for (const prod of enterprise.production ?? []) {
    if (prod.period !== period.key || prod.value <= 0) continue;
    const input = { product: prod.product, siteId: prod.site ?? null, value: prod.value, unit: prod.unit, relativeU: 0, manual: false };
    const entered = manual.find((m) => sameKey(m, input));
    if (entered && twice.includes(entered)) continue;
    if (entered) {
      issues.push({
        code: 'MTL_DOMAIN_MANUAL_OVERRIDES_MANIFEST',
        message: `production of ${prod.product}${prod.site ? ` at ${prod.site}` : ''}, ${period.key}: the manual entry's ${entered.value} ${entered.unit} counts, not the manifest's ${prod.value} ${prod.unit}`,
      });
      continue;
    }
    fromManifest.push(input);
  }
  for (const m of single) used.add(ids.get(m)!);
  return [...fromManifest, ...single];
}
