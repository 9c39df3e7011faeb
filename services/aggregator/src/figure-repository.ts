import type { FigureV1, RestatementV1 } from '@meterline/contracts';
import { figurePoint, restatementPoint } from '@meterline/series';
import type { SeriesPoint, TimeSeriesStore } from '@meterline/store';

/**
 * Writes figures and their restatement records. Requests are cut at period boundaries, so
 * a request holds whole periods (unless one period alone exceeds the chunk size).
 */
export async function writeFigures(store: TimeSeriesStore, figures: readonly FigureV1[], restatements: readonly RestatementV1[], chunkPoints: number): Promise<void> {
  const byPeriod = new Map<string, SeriesPoint[]>();
  for (const f of figures) {
    const key = `${f.periodKind}|${f.startMs}`;
    let list = byPeriod.get(key);
    if (!list) byPeriod.set(key, (list = []));
    list.push(figurePoint(f));
  }
  let chunk: SeriesPoint[] = restatements.map(restatementPoint);
  for (const points of byPeriod.values()) {
    if (chunk.length > 0 && chunk.length + points.length > chunkPoints) {
      await store.write(chunk);
      chunk = [];
    }
    chunk.push(...points);
  }
  if (chunk.length > 0) await store.write(chunk);
}
