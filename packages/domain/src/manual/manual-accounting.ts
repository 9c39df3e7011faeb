import type { Period } from '../calendar/period.ts';
import type { Enterprise } from '../registry/manifest-schema.ts';
import type { AccountingIssue, ConsumedPoint } from '../figures/enterprise-figures.ts';
import { effectiveEntries, type ManualEntry } from './manual-entry.ts';
import { manualFuels } from './manual-fuel.ts';
import { productionInputs, type ProductionInput } from './manual-production.ts';

/** What the manual entries add to one enterprise's accounting of one period. */
export interface ManualInputs {
  /** Fuels accounted from deliveries and stock, as boundary inputs of their site (stand-in points `manual:<carrier>`). */
  fuels: ConsumedPoint[];
  /** The intensities' denominators: the manifest's production and the manual entries'. */
  production: ProductionInput[];
  /** The ids of the standing entries used, sorted. */
  used: string[];
}

/**
 * The manual entries' part of an accounting: only entries of this enterprise that stand (no
 * later correction supersedes them) are used; `metered` are the enterprise's metered points,
 * which keep precedence over a manual fuel of the same site and carrier.
 */
export function manualInputs(enterprise: Enterprise, period: Period, metered: readonly ConsumedPoint[], entries: readonly ManualEntry[], issues: AccountingIssue[]): ManualInputs {
  const effective = effectiveEntries(entries.filter((e) => e.enterpriseId === enterprise.id));
  const used = new Set<string>();
  const fuels = manualFuels(enterprise, period, effective, metered, issues, used);
  const production = productionInputs(enterprise, period, effective, issues, used);
  return { fuels, production, used: [...used].sort() };
}
