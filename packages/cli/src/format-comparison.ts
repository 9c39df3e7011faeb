import type { EnterpriseFigures, Figure } from '@meterline/domain';
import { formatFigure, num, table } from './format-table.ts';

/** The headline figures an auditor compares between two factor sets. */
const HEADLINES: Array<[string, (e: EnterpriseFigures) => Figure | null]> = [
  ['energy, equivalent value', (e) => e.tceEquivalent],
  ['energy, equal value', (e) => e.tceEqualValue],
  ['CO2 scope 1 (fuels)', (e) => e.carbon.scope1],
  ['CO2 scope 2 location', (e) => e.carbon.scope2Location],
  ['CO2 scope 2 market', (e) => e.carbon.scope2Market],
  ['CO2 purchased heat', (e) => e.carbon.purchasedHeat],
  ['CO2 total, location-based', (e) => e.carbon.totalLocation],
  ['CO2 total, market-based', (e) => e.carbon.totalMarket],
];

/**
 * One block per enterprise and period: each headline figure with the pinned set (a) and with
 * the auditor's set (b), and the difference.
 */
export function formatComparison(pairs: ReadonlyArray<readonly [EnterpriseFigures, EnterpriseFigures]>): string {
  const parts: string[] = [];
  for (const [a, b] of pairs) {
    parts.push(`${a.period.key}: ${a.name} (${a.id}), factor set ${a.factorSet} against ${b.factorSet}`, '');
    const rows = HEADLINES.flatMap(([label, pick]) => {
      const fa = pick(a);
      const fb = pick(b);
      if (!fa || !fb) return [];
      const delta = fb.value - fa.value;
      const percent = fa.value === 0 ? '—' : `${num((100 * delta) / fa.value, 2)} %`;
      return [[label, formatFigure(fa), formatFigure(fb), `${delta > 0 ? '+' : ''}${num(delta, 3)} ${fa.unit}`, percent]];
    });
    parts.push(table(['figure', a.factorSet, b.factorSet, 'difference', 'difference %'], rows));
    const issues = b.issues.filter((issue) => !a.issues.some((x) => x.code === issue.code && x.message === issue.message));
    if (issues.length > 0) parts.push('', `issues with ${b.factorSet} only:`, ...issues.map((x) => `  ${x.code}${x.pointId ? ` ${x.pointId}` : ''}: ${x.message}`));
    parts.push('', '');
  }
  return parts.join('\n');
}
