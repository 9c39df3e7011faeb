import { createHash } from 'node:crypto';
import { FIGURE_KINDS, type FigureV1, type RestatementReason, type RestatementV1 } from '@meterline/contracts';
import type { ManualEntry } from '@meterline/domain';
import { completenessOf, FIGURE_DETAIL_FIELDS, figureKey, type PublishedFigure } from '@meterline/series';

export interface FigureChanges {
  /** Figures never published before. */
  added: FigureV1[];
  /** Figures published before with another value, uncertainty, coverage, completeness, quality or factor set (revision raised). */
  changed: FigureV1[];
  restatements: RestatementV1[];
  /** Figures equal to the published ones (so also counted unchanged). */
  unchanged: number;
  /**
   * Unchanged figures whose accounting now rests on other manual entries (an entry that moved
   * none of them, e.g. a value added): stored again at their revision, neither restated nor
   * announced, so the entries a later restatement compares with are the current ones and a
   * change by readings is not reported as a change of manual entries.
   */
  refreshed: FigureV1[];
}

// Stored floats come back exactly (InfluxDB returns the shortest round-tripping decimal); the
// tolerance only absorbs summation order, never a real change of a figure.
const same = (a: number, b: number) => Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(a), Math.abs(b));
const sameFlags = (a: readonly string[], b: readonly string[]) => a.length === b.length && [...a].sort().join() === [...b].sort().join();

function published(f: PublishedFigure): RestatementV1['old'] {
  return {
    value: f.value,
    expandedUncertainty: f.expandedUncertainty,
    coveragePercent: f.coveragePercent,
    flags: f.flags,
    factorSet: f.factorSet,
    registryVersion: f.registryVersion,
    revision: f.revision,
  };
}

/** The manual entries a figure rests on (FIGURE_DETAIL_FIELDS.manualEntries), as ids. */
const idsOf = (list: string | number | boolean | undefined): string[] => (typeof list === 'string' && list !== '' ? list.split(',') : []);
const manualOf = (after: FigureV1) => idsOf(after.detail[FIGURE_DETAIL_FIELDS.manualEntries]);

function reasonFor(before: PublishedFigure, after: FigureV1): RestatementReason {
  if (before.factorSet !== after.factorSet) return 'FACTOR_SET_CHANGED';
  if (before.registryVersion !== after.registryVersion) return 'REGISTRY_CHANGED';
  if (idsOf(before.manualEntries).join() !== manualOf(after).join()) return 'MANUAL_ENTRIES_CHANGED';
  if ((before.judgedAgainst ?? '') !== textOf(after, FIGURE_DETAIL_FIELDS.judgedAgainst)) return YARDSTICK_REASONS[after.measurement] ?? 'READINGS_CHANGED';
  return 'READINGS_CHANGED';
}

/**
 * Why a judging figure's yardstick (FIGURE_DETAIL_FIELDS.judgedAgainst) moved: another target,
 * another limit data version, or another declared energy baseline (the registry's, so its
 * registry version moves with it and REGISTRY_CHANGED is found first).
 */
const YARDSTICK_REASONS: Partial<Record<FigureV1['measurement'], RestatementReason>> = {
  [FIGURE_KINDS.targetProgress]: 'TARGET_CHANGED',
  [FIGURE_KINDS.limitCompliance]: 'LIMIT_STANDARDS_CHANGED',
  [FIGURE_KINDS.baselineDeviation]: 'REGISTRY_CHANGED',
};

const textOf = (f: FigureV1, field: string): string => {
  const v = f.detail[field];
  return typeof v === 'string' ? v : '';
};

/** A judging figure (limit compliance, target progress, baseline deviation, fabrication finding) whose verdict or yardstick moved is restated even when its value did not. */
const sameJudgement = (before: PublishedFigure, after: FigureV1) =>
  (before.verdict ?? '') === textOf(after, FIGURE_DETAIL_FIELDS.verdict) && (before.judgedAgainst ?? '') === textOf(after, FIGURE_DETAIL_FIELDS.judgedAgainst);

/** A figure published before completeness was kept has none: any completeness now is a change to publish. */
const sameCompleteness = (before: PublishedFigure, after: FigureV1) => {
  const now = completenessOf(after);
  return before.completenessPercent === undefined || now === undefined ? before.completenessPercent === now : same(before.completenessPercent, now);
};

/** Which manual entries came and went, each new correction with what it corrects and why. */
function describeManual(before: PublishedFigure, after: FigureV1, entries: ReadonlyMap<string, ManualEntry>): string | undefined {
  const old = new Set(idsOf(before.manualEntries));
  const now = manualOf(after);
  const added = now.filter((id) => !old.has(id));
  const gone = [...old].filter((id) => !now.includes(id));
  if (added.length === 0 && gone.length === 0) return undefined;
  const told = added.map((id) => {
    const e = entries.get(id);
    return e?.corrects !== undefined ? `${id} (corrects ${e.corrects}: ${e.reason ?? ''})` : id;
  });
  return `manual entries${told.length > 0 ? ` + ${told.join(', ')}` : ''}${gone.length > 0 ? ` − ${gone.join(', ')}` : ''}`;
}

function describe(before: PublishedFigure, after: FigureV1, entries: ReadonlyMap<string, ManualEntry>): string {
  const parts = [`value ${before.value} → ${after.value} ${after.unit}`];
  if (!same(before.coveragePercent, after.coveragePercent)) parts.push(`coverage ${before.coveragePercent} % → ${after.coveragePercent} %`);
  if (!sameCompleteness(before, after)) parts.push(`completeness ${before.completenessPercent ?? 'not kept'} % → ${completenessOf(after) ?? 'not kept'} %`);
  if (!sameFlags(before.flags, after.flags)) parts.push(`flags [${before.flags.join(',')}] → [${after.flags.join(',')}]`);
  const verdict = textOf(after, FIGURE_DETAIL_FIELDS.verdict);
  if ((before.verdict ?? '') !== verdict) parts.push(`verdict ${before.verdict ?? 'none'} → ${verdict || 'none'}`);
  const against = textOf(after, FIGURE_DETAIL_FIELDS.judgedAgainst);
  if ((before.judgedAgainst ?? '') !== against) parts.push(`judged against ${before.judgedAgainst ?? 'nothing'} → ${against || 'nothing'}`);
  if (before.factorSet !== after.factorSet) parts.push(`factor set ${before.factorSet} → ${after.factorSet}`);
  const manual = describeManual(before, after, entries);
  if (manual) parts.push(manual);
  return parts.join('; ');
}

/** Published figures by figure key: built once for a unit whose parts are compared one after the other. */
export type PublishedIndex = ReadonlyMap<string, PublishedFigure>;
export const publishedIndex = (stored: readonly PublishedFigure[]): PublishedIndex => new Map(stored.map((f) => [figureKey(f), f]));

/**
 * Compares a recomputation with what was published. A figure whose value, uncertainty,
 * coverage, completeness, flags or factor set moved is restated (late readings that fill a
 * silence raise completeness and leave an exact register difference as it was): the new figure carries the next
 * revision, and a record keeps old and new and why. Figures equal to the published ones
 * are left alone, so recomputing a window with no new data writes and publishes nothing;
 * only those whose manual entries changed are stored again (`refreshed`).
 * `manualEntries` (the enterprise's, by id) lets a restatement by manual entries name each
 * correction with what it corrects and why.
 */
export function compareWithPublished(
  computed: readonly FigureV1[],
  before: PublishedIndex,
  restatedAt: Date,
  manualEntries: ReadonlyMap<string, ManualEntry> = new Map(),
): FigureChanges {
  const changes: FigureChanges = { added: [], changed: [], restatements: [], unchanged: 0, refreshed: [] };
  for (const figure of computed) {
    const old = before.get(figureKey(figure));
    if (!old) {
      changes.added.push(figure);
      continue;
    }
    const moved =
      !same(old.value, figure.value) ||
      !same(old.expandedUncertainty, figure.expandedUncertainty) ||
      !same(old.coveragePercent, figure.coveragePercent) ||
      !sameCompleteness(old, figure) ||
      !sameFlags(old.flags, figure.flags) ||
      !sameJudgement(old, figure) ||
      old.factorSet !== figure.factorSet;
    if (!moved) {
      changes.unchanged++;
      if (idsOf(old.manualEntries).join() !== manualOf(figure).join()) changes.refreshed.push({ ...figure, revision: old.revision });
      continue;
    }
    const next = { ...figure, revision: old.revision + 1 };
    changes.changed.push(next);
    changes.restatements.push({
      v: 1,
      // The same change found again (a rerun after a crash) gets the same id.
      restatementId: createHash('sha256').update(`${figureKey(figure)}|${old.revision}|${old.value}|${figure.value}|${old.coveragePercent}|${figure.coveragePercent}`).digest('hex').slice(0, 24),
      enterpriseId: figure.enterpriseId,
      measurement: figure.measurement,
      subject: figure.subject,
      periodKind: figure.periodKind,
      periodKey: figure.periodKey,
      startMs: figure.startMs,
      unit: figure.unit,
      old: published(old),
      new: published(next),
      reason: reasonFor(old, figure),
      detail: describe(old, figure, manualEntries),
      restatedAt: restatedAt.toISOString(),
    });
  }
  return changes;
}
