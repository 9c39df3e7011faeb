import { consecutiveRuns, dailyTotals, dayFrame } from './day-frame.ts';
import { round } from './statistics.ts';
import type { ChildrenExceedParentEvidence, FabricationInputs, FindingOf } from './types.ts';

export interface ChildrenExceedParentOptions {
  /**
   * Consecutive days Σ children must exceed the parent beyond the combined U. U covers about
   * 95 % of honest meter error on one day; errors that push the same way for days on end mean
   * a parent read low or a child read high, not chance.
   */
  minDays: number;
}

const CHILDREN_EXCEED_PARENT_DEFAULTS: ChildrenExceedParentOptions = { minDays: 3 };

/**
 * Sub-meters that together record more than their parent, beyond the combined U of the
 * balance: energy cannot come out of a node faster than it goes in. The combined U is
 * √(U_parent² + ΣU_child²): different meters err independently (GUM 5.1.2).
 */
export function detectChildrenExceedParent(inputs: FabricationInputs, options: Partial<ChildrenExceedParentOptions> = {}): FindingOf<'children-exceed-parent'>[] {
  const o = { ...CHILDREN_EXCEED_PARENT_DEFAULTS, ...options };
  const frame = dayFrame(inputs);
  const findings: FindingOf<'children-exceed-parent'>[] = [];
  for (const parent of inputs.points) {
    const children = inputs.points.filter((p) => p.parentId === parent.pointId);
    if (children.length === 0) continue;
    const parentDays = dailyTotals(frame, parent.increments);
    const childDays = children.map((c) => dailyTotals(frame, c.increments));
    const days: ChildrenExceedParentEvidence['days'] = [];
    const exceeding: number[] = [];
    for (let i = frame.firstMonthDay; i < frame.days.length; i++) {
      const p = parentDays[i]!;
      // A day some meter has no data for is no balance: a missing child is not an excess.
      if (p.intervals === 0 || childDays.some((c) => c[i]!.intervals === 0)) continue;
      const childrenSum = childDays.reduce((s, c) => s + c[i]!.value, 0);
      const combinedU = Math.sqrt(p.expandedUncertainty ** 2 + childDays.reduce((s, c) => s + c[i]!.expandedUncertainty ** 2, 0));
      const excess = childrenSum - p.value;
      if (excess > combinedU) {
        exceeding.push(i);
        days.push({ date: frame.days[i]!.date, parent: round(p.value), childrenSum: round(childrenSum), excess: round(excess), combinedU: round(combinedU) });
      }
    }
    const runs = consecutiveRuns(exceeding, o.minDays);
    if (runs.length === 0) continue;
    const inRuns = new Set(runs.flat().map((i) => frame.days[i]!.date));
    const shown = days.filter((d) => inRuns.has(d.date));
    const totalExcess = round(shown.reduce((s, d) => s + d.excess, 0));
    const worst = shown.reduce((a, b) => (b.excess / b.combinedU > a.excess / a.combinedU ? b : a));
    findings.push({
      detector: 'children-exceed-parent',
      pointId: parent.pointId,
      month: frame.month,
      evidence: { childIds: children.map((c) => c.pointId), days: shown, totalExcess },
      summary:
        `On ${shown.length} days the sub-meters of ${parent.pointId} recorded ${round(totalExcess, 1)} more than it did, beyond what meter error explains ` +
        `(worst ${worst.date}: ${round(worst.excess, 1)} over, ${round(worst.excess / worst.combinedU, 1)} × the combined U): the main meter reads low or a sub-meter high.`,
    });
  }
  return findings;
}
