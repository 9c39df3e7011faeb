import { html, type Markup } from '../markup.ts';
import { num } from '../format.ts';
import { linearScale, niceTicks, px } from './scale.ts';

export interface GapRow {
  label: string;
  /** gap / input × 100; null when the input is 0 (no percentage exists). */
  gapPercent: number | null;
  /** U(gap) / |input| × 100. */
  uPercent: number | null;
  significant: boolean;
}

const WIDTH = 720;
const ROW = 26;
const PLOT = { left: 170, right: 16, top: 8, bottom: 24 };

/**
 * Each balance node's gap in percent of its input, with the band gap ± U(gap) around it
 * (GB/T 3484-2009 gives no tolerance; the gap is significant only when the band leaves out
 * zero). The axis is symmetric about zero so over- and under-metering read alike.
 */
export function gapBandChart(title: string, rows: readonly GapRow[]): Markup {
  const reach = Math.max(0, ...rows.map((r) => (r.gapPercent === null ? 0 : Math.abs(r.gapPercent) + (r.uPercent ?? 0))));
  const ticks = niceTicks(-reach, reach, 6);
  const edge = Math.max(Math.abs(ticks.min), Math.abs(ticks.max));
  const x = linearScale(-edge, edge, PLOT.left, WIDTH - PLOT.right);
  const height = PLOT.top + Math.max(rows.length, 1) * ROW + PLOT.bottom;
  const bottom = height - PLOT.bottom;
  const marks = rows.map((r, i) => {
    const mid = PLOT.top + i * ROW + ROW / 2;
    const label = html`<text x="${PLOT.left - 6}" y="${px(mid + 4)}" text-anchor="end" class="label">${r.label}</text>`;
    if (r.gapPercent === null) return html`${label}<text x="${px(x(0) + 6)}" y="${px(mid + 4)}" class="empty">no input: no percentage</text>`;
    const u = r.uPercent ?? 0;
    const cls = r.significant ? 'significant' : 'within';
    return html`${label}<rect x="${px(x(r.gapPercent - u))}" y="${px(mid - 7)}" width="${px(x(r.gapPercent + u) - x(r.gapPercent - u))}" height="14" class="band ${cls}" data-node="${r.label}" data-band-from="${r.gapPercent - u}" data-band-to="${r.gapPercent + u}"><title>${r.label}: U band ${num(r.gapPercent - u, 2)} % to ${num(r.gapPercent + u, 2)} %</title></rect><line x1="${px(x(r.gapPercent))}" x2="${px(x(r.gapPercent))}" y1="${px(mid - 9)}" y2="${px(mid + 9)}" class="gap ${cls}" data-gap="${r.gapPercent}"><title>${r.label}: gap ${num(r.gapPercent, 2)} %${r.significant ? ', significant' : ', within its uncertainty'}</title></line><text x="${px(x(r.gapPercent) + (r.gapPercent > 0 ? -6 : 6))}" y="${px(mid + 4)}" text-anchor="${r.gapPercent > 0 ? 'end' : 'start'}" class="value">${num(r.gapPercent, 1)} % ± ${num(u, 1)} %</text>`;
  });
  const axis = ticks.values
    .filter((t) => Math.abs(t) <= edge)
    .map((t) => html`<line x1="${px(x(t))}" x2="${px(x(t))}" y1="${PLOT.top}" y2="${bottom}" class="${t === 0 ? 'zero' : 'grid'}"/><text x="${px(x(t))}" y="${height - 8}" text-anchor="middle" class="tick">${num(t, Math.max(0, -Math.floor(Math.log10(ticks.step))))} %</text>`);
  return html`<figure class="chart">
<figcaption>${title} <span class="unit">(% of the node's input; band: gap ± U, k = 2)</span></figcaption>
<svg viewBox="0 0 ${WIDTH} ${height}" role="img" aria-label="${title}" data-axis-min="${-edge}" data-axis-max="${edge}">${axis}${marks}${rows.length === 0 ? html`<text x="${WIDTH / 2}" y="${PLOT.top + ROW / 2 + 4}" text-anchor="middle" class="empty">no node has sub-meters</text>` : ''}</svg>
<div class="legend"><span class="key"><i class="within"></i>gap within its uncertainty</span><span class="key"><i class="significant"></i>significant gap (|gap| &gt; U)</span></div>
</figure>`;
}
