import type { FigureV1, RestatementV1 } from '@meterline/contracts';
import { figurePoint, restatementPoint } from '@meterline/series';
import type { SeriesPoint, TimeSeriesStore } from '@meterline/store';

/** Write requests in flight at once: InfluxDB takes points faster from two than from one (bench:aggregate's raw figure write). */
const WRITES_IN_FLIGHT = 2;

/**
 * Writes figures and their restatement records. Requests are cut at period boundaries, so
 * a request holds whole periods (unless one period alone exceeds the chunk size); a few are
 * in flight at once. Resolves when every request is accepted; fails if any fails.
 */
export async function writeFigures(store: TimeSeriesStore, figures: readonly FigureV1[], restatements: readonly RestatementV1[], chunkPoints: number): Promise<void> {
  const inFlight = new Set<Promise<void>>();
  let failed: Error | undefined;
  const send = async (points: SeriesPoint[]) => {
    while (inFlight.size >= WRITES_IN_FLIGHT) await Promise.race(inFlight);
    if (failed !== undefined) throw failed;
    const p = store.write(points).catch((error: unknown) => {
      failed ??= error instanceof Error ? error : new Error(String(error));
    });
    inFlight.add(p);
    void p.finally(() => inFlight.delete(p));
  };
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
      await send(chunk);
      chunk = [];
    }
    chunk.push(...points);
  }
  if (chunk.length > 0) await send(chunk);
  await Promise.all(inFlight);
  if (failed !== undefined) throw failed;
}
