import { html, type Markup } from '../markup.ts';
import { num } from '../format.ts';
import { linearScale, niceTicks, px } from './scale.ts';

interface StackedSeries {
  name: string;
  colour: string;
  /** One value per category; negative values (deductions, exports) stack below zero. */
  values: readonly number[];
}

export interface StackedBarsInput {
  title: string;
  unit: string;
  /** Category keys (days), shown in tooltips. */
  categories: readonly string[];
  /** Short axis labels, one per category. */
  labels: readonly string[];
  series: readonly StackedSeries[];
  /** Categories whose figures are not fully covered by readings: marked under their bar, so a short bar is not read as low use. */
  partial?: readonly boolean[];
}

const WIDTH = 720;
const HEIGHT = 240;
const PLOT = { left: 56, right: 8, top: 12, bottom: 24 };

/** The lowest and highest point any stack reaches: positives pile up from 0, negatives down from it. */
function stackExtent(series: readonly StackedSeries[], categories: number): { min: number; max: number } {
  let min = 0;
  let max = 0;
  for (let c = 0; c < categories; c++) {
    let up = 0;
    let down = 0;
    for (const s of series) {
      const v = s.values[c] ?? 0;
      if (v >= 0) up += v;
      else down += v;
    }
    max = Math.max(max, up);
    min = Math.min(min, down);
  }
  return { min, max };
}

/**
 * A bar per category with the series stacked in it, as inline SVG: positive values above the
 * zero line, negative ones below it, the axis from nice ticks around both. Each bar segment
 * carries its series, category and value as data attributes and a tooltip.
 */
export function stackedBars(input: StackedBarsInput): Markup {
  const n = input.categories.length;
  const extent = stackExtent(input.series, n);
  const ticks = niceTicks(extent.min, extent.max);
  const y = linearScale(ticks.min, ticks.max, HEIGHT - PLOT.bottom, PLOT.top);
  const slot = (WIDTH - PLOT.left - PLOT.right) / Math.max(n, 1);
  const barWidth = slot * 0.72;
  const segments: Markup[] = [];
  for (let c = 0; c < n; c++) {
    let up = 0;
    let down = 0;
    const x = PLOT.left + c * slot + (slot - barWidth) / 2;
    for (const s of input.series) {
      const v = s.values[c] ?? 0;
      if (v === 0) continue;
      const [from, to] = v > 0 ? [up, (up += v)] : [down, (down += v)];
      const top = y(Math.max(from, to));
      segments.push(
        html`<rect x="${px(x)}" y="${px(top)}" width="${px(barWidth)}" height="${px(y(Math.min(from, to)) - top)}" fill="${s.colour}" data-series="${s.name}" data-category="${input.categories[c]}" data-value="${v}"><title>${input.categories[c]} ${s.name}: ${num(v, 3)} ${input.unit}</title></rect>`,
      );
    }
  }
  const grid = ticks.values.map(
    (t) =>
      html`<line x1="${PLOT.left}" x2="${WIDTH - PLOT.right}" y1="${px(y(t))}" y2="${px(y(t))}" class="${t === 0 ? 'zero' : 'grid'}"/><text x="${PLOT.left - 4}" y="${px(y(t) + 3)}" class="tick" text-anchor="end">${num(t, Math.max(0, -Math.floor(Math.log10(ticks.step))))}</text>`,
  );
  const labels = input.labels.map((label, c) =>
    // Every label when they fit, else every other one.
    n <= 16 || c % 2 === 0 ? html`<text x="${px(PLOT.left + c * slot + slot / 2)}" y="${HEIGHT - 8}" class="tick" text-anchor="middle">${label}</text>` : html``,
  );
  const partial = input.labels.map((_, c) =>
    input.partial?.[c] ? html`<rect x="${px(PLOT.left + c * slot + (slot - barWidth) / 2)}" y="${HEIGHT - PLOT.bottom + 2}" width="${px(barWidth)}" height="4" class="partial" data-partial="${input.categories[c]}"><title>${input.categories[c]}: coverage below 100 %</title></rect>` : html``,
  );
  const legend = [
    ...input.series.map((s) => html`<span class="key"><i style="background:${s.colour}"></i>${s.name}</span>`),
    ...(input.partial?.some(Boolean) ? [html`<span class="key"><i class="partial"></i>coverage below 100 % (part of the day has no readings)</span>`] : []),
  ];
  return html`<figure class="chart">
<figcaption>${input.title} <span class="unit">(${input.unit})</span></figcaption>
<svg viewBox="0 0 ${WIDTH} ${HEIGHT}" role="img" aria-label="${input.title}" data-axis-min="${ticks.min}" data-axis-max="${ticks.max}">${grid}${segments}${partial}${labels}${n === 0 || input.series.length === 0 ? html`<text x="${WIDTH / 2}" y="${HEIGHT / 2}" text-anchor="middle" class="empty">no data</text>` : ''}</svg>
<div class="legend">${legend}</div>
</figure>`;
}
