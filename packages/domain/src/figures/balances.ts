import { energyBalance } from './energy-balance.ts';
import type { Term } from './figure.ts';
import { convertTerm, type AccountingIssue, type AccountingOptions, type BalanceFigures, type ConsumedPoint } from './enterprise-figures.ts';

/**
 * The energy balance of every point that has sub-meters: its consumption against the sum of
 * its children's, in its unit (energy-balance.ts). A child whose unit does not convert makes
 * the balance an issue instead.
 */
export function pointBalances(points: readonly ConsumedPoint[], factorSet: string, options: AccountingOptions, issues: AccountingIssue[]): BalanceFigures[] {
  // Children indexed once, in point order: a filter per parent is quadratic in the points.
  const childrenOf = new Map<string, ConsumedPoint[]>();
  for (const c of points) {
    const parentId = c.point.topology.parent;
    if (parentId === undefined) continue;
    const siblings = childrenOf.get(parentId);
    if (siblings) siblings.push(c);
    else childrenOf.set(parentId, [c]);
  }
  const balances: BalanceFigures[] = [];
  for (const parent of points) {
    const children = childrenOf.get(parent.point.id);
    if (children === undefined) continue;
    const converted = children.map((c) => ({ id: c.point.id, term: convertTerm(c.term, c.point.unit, parent.point.unit) }));
    if (converted.some((c) => c.term === undefined)) {
      issues.push({ code: 'MTL_DOMAIN_INCOMPATIBLE_UNITS', message: `balance of ${parent.point.id}: a child's unit does not convert to ${parent.point.unit}`, pointId: parent.point.id });
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
      factorSet,
    });
  }
  return balances;
}
