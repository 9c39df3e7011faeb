import type { FigureV1, RestatementV1 } from '@meterline/contracts';
import { figureKey, type PublishedFigure } from '@meterline/series';
import type { TimeSeriesStore } from '@meterline/store';
import { writeFigures } from '../figure-repository.ts';
import { compareWithPublished, publishedIndex } from '../restatements.ts';

/** What publishes judging figures: announced on the bus, then stored. */
export interface JudgedDeps {
  store: TimeSeriesStore;
  publisher: { publish(enterpriseId: string, figures: FigureV1[], restatements: RestatementV1[]): Promise<void> };
  writeChunkPoints: number;
}

/** The judging figures of one unit: how many were computed, how many were new or restated, and the restatements. */
export interface JudgedChanges {
  figures: number;
  added: number;
  changed: number;
  restatements: RestatementV1[];
}

export const noJudgedChanges = (): JudgedChanges => ({ figures: 0, added: 0, changed: 0, restatements: [] });

/**
 * Compares judging figures with those published before, announces the new and restated ones,
 * then stores them: the accounting's order (announced before stored), so a crash in between
 * announces the same change again on the rerun, with the same restatement id.
 */
export async function publishJudged(
  deps: JudgedDeps,
  enterpriseId: string,
  computed: readonly FigureV1[],
  published: readonly PublishedFigure[],
  now: number,
  options: { refreshUnchanged?: boolean } = {},
): Promise<JudgedChanges> {
  const index = publishedIndex(published);
  const changes = compareWithPublished(computed, index, new Date(now));
  const fresh = [...changes.added, ...changes.changed];
  if (fresh.length > 0 || changes.restatements.length > 0) await deps.publisher.publish(enterpriseId, fresh, changes.restatements);
  // Figures whose detail runs on from earlier days (a CUSUM) are stored again at their revision
  // when unchanged: the detail is brought up to date, nothing a reader of the bus uses moved.
  const moved = new Set(fresh.map(figureKey));
  const refreshed = options.refreshUnchanged
    ? computed.flatMap((f) => {
        const old = index.get(figureKey(f));
        return old && !moved.has(figureKey(f)) ? [{ ...f, revision: old.revision }] : [];
      })
    : [];
  await writeFigures(deps.store, [...fresh, ...refreshed], changes.restatements, deps.writeChunkPoints);
  return { figures: computed.length, added: changes.added.length, changed: changes.changed.length, restatements: changes.restatements };
}
