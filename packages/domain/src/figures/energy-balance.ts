import { COVERAGE_FACTOR_95, combineSum } from '../uncertainty/gum.ts';
import type { Term } from './figure.ts';

export interface BalanceInput {
  parentId: string;
  parent: Term;
  children: Array<{ id: string; term: Term }>;
  /** A site's own threshold on top of the uncertainty test, in percent of the input (default 0). */
  thresholdPercent?: number;
}

export interface BalanceResult {
  parentId: string;
  childIds: string[];
  input: number;
  childrenSum: number;
  /** input − Σ children: distribution losses and unmetered loads. */
  gap: number;
  gapPercent: number | null;
  /** U(gap) = 2·√(u_parent² + Σu_child²). */
  gapExpandedUncertainty: number;
  /** True when |gap| exceeds U(gap) (and the threshold, if one is set). */
  significant: boolean;
  coverage: number;
}

/**
 * Energy balance of one topology node (GB/T 3484-2009: supplied = useful + losses).
 * No published tolerance closes a balance, so a gap counts as significant only when it
 * exceeds the combined expanded uncertainty of the meters involved. The main meter and
 * its sub-meters are different instruments, so their errors are independent and combine
 * in quadrature; the two sides are never averaged as if they measured the same energy.
 */
export function energyBalance(input: BalanceInput): BalanceResult {
  const childrenSum = input.children.reduce((s, c) => s + c.term.value, 0);
  const gap = input.parent.value - childrenSum;
  const U = COVERAGE_FACTOR_95 * combineSum([input.parent.u, ...input.children.map((c) => c.term.u)]);
  const gapPercent = input.parent.value === 0 ? null : (gap / input.parent.value) * 100;
  const overThreshold = input.thresholdPercent === undefined || gapPercent === null || Math.abs(gapPercent) > input.thresholdPercent;
  return {
    parentId: input.parentId,
    childIds: input.children.map((c) => c.id),
    input: input.parent.value,
    childrenSum,
    gap,
    gapPercent,
    gapExpandedUncertainty: U,
    significant: Math.abs(gap) > U && overThreshold,
    coverage: Math.min(input.parent.coverage, ...input.children.map((c) => c.term.coverage)),
  };
}
