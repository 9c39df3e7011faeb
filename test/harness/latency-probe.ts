import { READING_FIELDS, READING_TAGS, READINGS_MEASUREMENT } from '@meterline/series';
import type { Pipeline } from './pipeline.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface LatencySample {
  point: string;
  tsMs: number;
  publishedAtMs: number;
}

/**
 * Measures publish → queryable latency on sampled readings while the step runs: samples
 * are added as their publish is acknowledged, and one query per poll looks for all that
 * are outstanding, so the probe adds little load to the store it measures.
 */
export function startLatencyProbe(pipeline: Pick<Pipeline, 'store'>) {
  const latencies: number[] = [];
  const outstanding = new Map<string, LatencySample>();
  let stopAt = Infinity;
  const loop = (async () => {
    while (Date.now() < stopAt && (outstanding.size > 0 || stopAt === Infinity)) {
      // InfluxQL cannot OR time conditions together: select the points, bound the time
      // range, and match the sampled timestamps here.
      const batch = [...outstanding.values()].slice(0, 50);
      if (batch.length > 0) {
        const points = [...new Set(batch.map((s) => `"${READING_TAGS.point}" = '${s.point}'`))].join(' OR ');
        const from = Math.min(...batch.map((s) => s.tsMs));
        const to = Math.max(...batch.map((s) => s.tsMs));
        const q = `SELECT "${READING_FIELDS.value}" FROM "${READINGS_MEASUREMENT}" WHERE (${points}) AND time >= ${from}ms AND time <= ${to}ms GROUP BY "${READING_TAGS.point}"`;
        const series = await pipeline.store.influxQl(q);
        const now = Date.now();
        for (const s of series) {
          for (const [time] of s.values) {
            const key = `${s.tags?.[READING_TAGS.point]}@${String(time)}`;
            const sample = outstanding.get(key);
            if (!sample) continue;
            latencies.push(now - sample.publishedAtMs);
            outstanding.delete(key);
          }
        }
      }
      await sleep(20);
    }
    if (outstanding.size > 0) console.log(`  ! ${outstanding.size} sampled readings never became queryable`);
    return latencies.sort((a, b) => a - b);
  })();
  return {
    add: (sample: LatencySample) => outstanding.set(`${sample.point}@${sample.tsMs}`, sample),
    /** Waits up to `graceMs` for the outstanding samples, then returns the sorted latencies. */
    finish: (graceMs: number) => {
      stopAt = Date.now() + graceMs;
      return loop;
    },
  };
}

