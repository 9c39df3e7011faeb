import { html, type Markup } from '../markup.ts';
import { num } from '../format.ts';
import { px } from './scale.ts';

export interface PercentRow {
  pointId: string;
  /** 0–100. */
  percent: number;
}

const WIDTH = 720;
const ROW = 20;
const PLOT = { left: 170, right: 60, top: 8, bottom: 22 };

/**
 * One horizontal bar per metering point, 0 to 100 %, with a line at `threshold` (the
 * regulator's minimum); bars below it are drawn in the warning colour.
 */
export function percentBars(title: string, rows: readonly PercentRow[], threshold: number): Markup {
  const scale = (p: number) => PLOT.left + (Math.min(100, Math.max(0, p)) / 100) * (WIDTH - PLOT.left - PLOT.right);
  const height = PLOT.top + Math.max(rows.length, 1) * ROW + PLOT.bottom;
  const bars = rows.map((r, i) => {
    const top = PLOT.top + i * ROW + 3;
    const cls = r.percent >= threshold ? 'ok' : 'low';
    return html`<text x="${PLOT.left - 6}" y="${px(top + 11)}" text-anchor="end" class="label">${r.pointId}</text><rect x="${PLOT.left}" y="${px(top)}" width="${px(scale(r.percent) - PLOT.left)}" height="${ROW - 6}" class="bar ${cls}" data-point="${r.pointId}" data-percent="${r.percent}"/><text x="${px(scale(r.percent) + 4)}" y="${px(top + 11)}" class="tick">${num(r.percent, 1)} %</text>`;
  });
  const axis = [0, 25, 50, 75, 100].map((t) => html`<text x="${px(scale(t))}" y="${height - 6}" text-anchor="middle" class="tick">${t} %</text>`);
  return html`<figure class="chart">
<figcaption>${title}</figcaption>
<svg viewBox="0 0 ${WIDTH} ${height}" role="img" aria-label="${title}">${axis}${bars}<line x1="${px(scale(threshold))}" x2="${px(scale(threshold))}" y1="${PLOT.top}" y2="${height - PLOT.bottom}" class="threshold" data-threshold="${threshold}"/>${rows.length === 0 ? html`<text x="${WIDTH / 2}" y="${PLOT.top + 14}" text-anchor="middle" class="empty">no metering points</text>` : ''}</svg>
<div class="legend"><span class="key"><i class="threshold"></i>${num(threshold, 0)} %: the regulator's minimum</span></div>
</figure>`;
}
