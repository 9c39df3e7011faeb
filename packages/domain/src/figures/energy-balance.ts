import { COVERAGE_FACTOR_95, combineSum } from '../uncertainty/gum.ts';
import { completenessPercent } from '../quality/completeness.ts';
import { sortFlags, type QualityFlag } from '../quality/quality-flag.ts';
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
  quality: BalanceQuality;
}

/** The quality of one meter of a balance, so a reader sees which side is weak. */
interface BalancePartQuality {
  pointId: string;
  /** The node's own meter (`input`) or one of its sub-meters (`child`). */
  side: 'input' | 'child';
  coveragePercent: number;
  completenessPercent: number;
  /** Estimated part of the meter's consumption, in the balance's unit. */
  estimated: number;
  readingsOutsideCalibration: number;
  flags: QualityFlag[];
}

/** What the meters of a balance say about its data: a gap is only as good as its worst meter. */
interface BalanceQuality {
  /** Every flag of the input and the children. */
  flags: QualityFlag[];
  /** Readings received ÷ expected, pooled over the input and the children. */
  completenessPercent: number;
  readingsReceived: number;
  readingsExpected: number;
  /** Readings outside their meter's calibration validity, over the input and the children. */
  readingsOutsideCalibration: number;
  /** Estimated energy on both sides ÷ all energy on both sides, 0–100. */
  estimatedPercent: number;
  parts: BalancePartQuality[];
}

function partQuality(pointId: string, side: BalancePartQuality['side'], t: Term): BalancePartQuality {
  return {
    pointId,
    side,
    coveragePercent: t.coverage * 100,
    completenessPercent: completenessPercent({ received: t.readingsReceived, expected: t.readingsExpected }),
    estimated: t.estimated,
    readingsOutsideCalibration: t.readingsOutsideCalibration,
    flags: sortFlags(t.flags),
  };
}

function balanceQuality(input: BalanceInput): BalanceQuality {
  const terms = [input.parent, ...input.children.map((c) => c.term)];
  const sum = (f: (t: Term) => number) => terms.reduce((s, t) => s + f(t), 0);
  const energy = sum((t) => Math.abs(t.value));
  const readingsReceived = sum((t) => t.readingsReceived);
  const readingsExpected = sum((t) => t.readingsExpected);
  return {
    flags: sortFlags(terms.flatMap((t) => [...t.flags])),
    completenessPercent: completenessPercent({ received: readingsReceived, expected: readingsExpected }),
    readingsReceived,
    readingsExpected,
    readingsOutsideCalibration: sum((t) => t.readingsOutsideCalibration),
    estimatedPercent: energy === 0 ? 0 : (sum((t) => Math.abs(t.estimated)) / energy) * 100,
    parts: [partQuality(input.parentId, 'input', input.parent), ...input.children.map((c) => partQuality(c.id, 'child', c.term))],
  };
}

/**
 * Energy balance of one topology node (GB/T 3484-2009: supplied = useful + losses).
 * No published tolerance closes a balance, so a gap counts as significant only when it
 * exceeds the combined expanded uncertainty of the meters involved. The main meter and
 * its sub-meters are different instruments, so their errors are independent and combine
 * in quadrature; the two sides are never averaged as if they measured the same energy.
 * The balance carries its meters' quality (calibration, completeness, estimates) whole and
 * per meter: a gap computed from a meter outside calibration or with missing readings says so.
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
    quality: balanceQuality(input),
  };
}
