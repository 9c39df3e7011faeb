import type { EnterpriseFigures } from '@meterline/domain';
import type { ByKind } from './args.ts';
import type { PeriodLimitCompliance } from './account-limits.ts';

export const OUTPUT_SCHEMA = 'meterline.account/v1';

/** What `meterline account --format json` prints; the table is drawn from the same value. */
export interface AccountOutput {
  schema: typeof OUTPUT_SCHEMA;
  period: string;
  manifest: string;
  readings: string;
  /** The manual entries file, with --manual (added in v1 as an optional field). */
  manual?: string;
  /** `by` only with --by (added in v1 as an optional field). */
  options: { equalValue: boolean; estimateGaps: boolean; by?: ByKind };
  /** One entry per enterprise, or per enterprise and sub-period with --by; each carries its period. */
  enterprises: EnterpriseFigures[];
  /**
   * With --factor-set-file (added in v1 as an optional field): the entries of enterprises pinned
   * to another set, accounted with the file's set, in the same order.
   */
  comparison?: { factorSetFile: string; factorSet: string; enterprises: EnterpriseFigures[] };
  /**
   * Products the manifest maps to a limit standard (added in v1 as an optional field): per
   * enterprise and period, each product's unit consumption against the standard's grades.
   */
  limits?: PeriodLimitCompliance[];
}
