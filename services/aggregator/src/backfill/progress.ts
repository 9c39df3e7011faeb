import type { UnitReport } from '../aggregate-enterprise.ts';

export interface BackfillTotals {
  units: number;
  periods: number;
  figures: number;
  added: number;
  changed: number;
  unchanged: number;
  readingsRead: number;
  restatementsByReason: Record<string, number>;
  timings: UnitReport['timings'];
}

export const emptyTotals = (): BackfillTotals => ({
  units: 0,
  periods: 0,
  figures: 0,
  added: 0,
  changed: 0,
  unchanged: 0,
  readingsRead: 0,
  restatementsByReason: {},
  timings: { read: 0, compute: 0, compare: 0, publish: 0, write: 0 },
});

export function addUnit(t: BackfillTotals, r: UnitReport): void {
  t.units++;
  t.periods += r.periods;
  t.figures += r.figures;
  t.added += r.added;
  t.changed += r.changed;
  t.unchanged += r.unchanged;
  t.readingsRead += r.readingsRead;
  for (const s of r.restatements) t.restatementsByReason[s.reason] = (t.restatementsByReason[s.reason] ?? 0) + 1;
  for (const k of Object.keys(t.timings) as (keyof UnitReport['timings'])[]) t.timings[k] += r.timings[k];
}

const WIDTH = 30;

/** One progress line: a bar on a terminal (rewritten in place), else a line every 5 % of the work. */
export function progressLine(done: number, total: number, last: UnitReport, totals: BackfillTotals): string {
  const share = total === 0 ? 1 : done / total;
  const filled = Math.round(share * WIDTH);
  const restated = Object.values(totals.restatementsByReason).reduce((a, b) => a + b, 0);
  return `[${'#'.repeat(filled)}${'-'.repeat(WIDTH - filled)}] ${String(Math.round(share * 100)).padStart(3)} %  ${done}/${total}  ${last.enterpriseId} ${last.unit}  figures ${totals.figures}  restated ${restated}`;
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

export function summary(totals: BackfillTotals, plannedUnits: number, elapsedMs: number, completed: boolean): string {
  const restated = Object.entries(totals.restatementsByReason).map(([reason, n]) => `${reason} ${n}`);
  const t = totals.timings;
  return [
    completed ? 'backfill complete' : `backfill interrupted after ${totals.units} of ${plannedUnits} units: run the same command again to finish`,
    `  units (enterprise-days and months): ${totals.units}/${plannedUnits}`,
    `  periods computed:  ${totals.periods}`,
    `  figures computed:  ${totals.figures} (new ${totals.added}, restated ${totals.changed}, unchanged ${totals.unchanged})`,
    `  restatements:      ${restated.length > 0 ? restated.join(', ') : 'none'}`,
    `  readings read:     ${totals.readingsRead}`,
    `  time:              ${seconds(elapsedMs)} (read ${seconds(t.read)}, compute ${seconds(t.compute)}, compare ${seconds(t.compare)}, publish ${seconds(t.publish)}, write ${seconds(t.write)})`,
  ].join('\n');
}
