import { html, type Markup } from '../markup.ts';
import { num } from '../format.ts';
import { linearScale, niceTicks, px, type Ticks } from './scale.ts';

/** One judged day: the actual, the model's expectation and its 95 % prediction interval, and the running Σ(actual − expected). */
export interface JudgedDay {
  date: string;
  actual: number;
  expected: number;
  low: number;
  high: number;
  outside: 'above' | 'below' | null;
  cumulative: number;
}

export interface ChangeMark {
  direction: 'up' | 'down';
  startDate: string;
  signalDate: string;
}

const WIDTH = 720;
const HEIGHT = 220;
const PLOT = { left: 64, right: 12, top: 12, bottom: 24 };

const tickDigits = (t: Ticks): number => Math.max(0, -Math.floor(Math.log10(t.step)));

/** The frame both charts share: days across (each at the middle of its slot), the value up, grid and labels. */
function frame(days: readonly JudgedDay[], min: number, max: number) {
  const ticks = niceTicks(min, max);
  const y = linearScale(ticks.min, ticks.max, HEIGHT - PLOT.bottom, PLOT.top);
  const slot = (WIDTH - PLOT.left - PLOT.right) / Math.max(days.length, 1);
  const x = (i: number): number => PLOT.left + i * slot + slot / 2;
  const grid = ticks.values.map(
    (t) => html`<line x1="${PLOT.left}" x2="${WIDTH - PLOT.right}" y1="${px(y(t))}" y2="${px(y(t))}" class="${t === 0 ? 'zero' : 'grid'}"/><text x="${PLOT.left - 4}" y="${px(y(t) + 3)}" class="tick" text-anchor="end">${num(t, tickDigits(ticks))}</text>`,
  );
  // The day of the month under its slot: every one when they fit, else every other.
  const labels = days.map((d, i) => (days.length <= 16 || i % 2 === 0 ? html`<text x="${px(x(i))}" y="${HEIGHT - 8}" class="tick" text-anchor="middle">${d.date.slice(8)}</text>` : html``));
  return { ticks, x, y, grid, labels };
}

const polyline = (points: ReadonlyArray<[number, number]>): string => points.map(([a, b]) => `${px(a)},${px(b)}`).join(' ');

const svg = (title: string, ticks: Ticks, body: Markup[]): Markup =>
  html`<svg viewBox="0 0 ${WIDTH} ${HEIGHT}" role="img" aria-label="${title}" data-axis-min="${ticks.min}" data-axis-max="${ticks.max}">${body}</svg>`;

/**
 * The month's days against the baseline (ISO 50006): the 95 % prediction band of each day
 * as a shaded area, the expected value as a dashed line and the actual as a line with a dot
 * per day, red where it leaves the band. Each day's numbers are in data attributes.
 */
export function baselineBandChart(title: string, unit: string, days: readonly JudgedDay[]): Markup {
  const { ticks, x, y, grid, labels } = frame(days, Math.min(...days.map((d) => Math.min(d.actual, d.low))), Math.max(...days.map((d) => Math.max(d.actual, d.high))));
  const band = [...days.map((d, i): [number, number] => [x(i), y(d.high)]), ...days.map((d, i): [number, number] => [x(i), y(d.low)]).reverse()];
  const dots = days.map(
    (d, i) =>
      html`<circle cx="${px(x(i))}" cy="${px(y(d.actual))}" r="2.6" class="${d.outside ? `actual outside-${d.outside}` : 'actual'}" data-day="${d.date}" data-actual="${d.actual}" data-expected="${d.expected}" data-low="${d.low}" data-high="${d.high}"><title>${d.date}: actual ${num(d.actual, 3)}, expected ${num(d.expected, 3)} (95 % band ${num(d.low, 3)} to ${num(d.high, 3)}) ${unit}${d.outside ? `, ${d.outside} the band` : ''}</title></circle>`,
  );
  return html`<figure class="chart">
<figcaption>${title} <span class="unit">(${unit} per day)</span></figcaption>
${svg(title, ticks, [
  ...grid,
  html`<polygon points="${polyline(band)}" class="prediction-band"/>`,
  html`<polyline points="${polyline(days.map((d, i) => [x(i), y(d.expected)]))}" class="expected"/>`,
  html`<polyline points="${polyline(days.map((d, i) => [x(i), y(d.actual)]))}" class="actual"/>`,
  ...dots,
  ...labels,
])}
<div class="legend"><span class="key"><i class="prediction-band"></i>95 % prediction interval</span><span class="key"><i class="expected"></i>expected (the baseline's model)</span><span class="key"><i class="actual"></i>actual</span><span class="key"><i class="outside"></i>outside the interval</span></div>
</figure>`;
}

/**
 * The CUSUM chart of measurement and verification: Σ(actual − expected) day after day (a
 * rising line: more than the baseline expects; falling: savings), with each change point the
 * tabular CUSUM found marked at the day it began (a vertical line) and the day it signalled.
 */
export function cusumChart(title: string, unit: string, days: readonly JudgedDay[], changes: readonly ChangeMark[]): Markup {
  const { ticks, x, y, grid, labels } = frame(days, Math.min(0, ...days.map((d) => d.cumulative)), Math.max(0, ...days.map((d) => d.cumulative)));
  const at = new Map(days.map((d, i) => [d.date, i]));
  const marks = changes.flatMap((c) => {
    const start = at.get(c.startDate);
    const signal = at.get(c.signalDate);
    if (start === undefined || signal === undefined) return [];
    return [
      html`<line x1="${px(x(start))}" x2="${px(x(start))}" y1="${PLOT.top}" y2="${HEIGHT - PLOT.bottom}" class="change change-${c.direction}" data-change-start="${c.startDate}" data-change-signal="${c.signalDate}" data-direction="${c.direction}"><title>change ${c.direction} from ${c.startDate}, signalled on ${c.signalDate}</title></line>`,
      html`<circle cx="${px(x(signal))}" cy="${px(y(days[signal]!.cumulative))}" r="4" class="signal change-${c.direction}"/>`,
    ];
  });
  const dots = days.map((d, i) => html`<circle cx="${px(x(i))}" cy="${px(y(d.cumulative))}" r="1.8" class="cusum" data-day="${d.date}" data-cumulative="${d.cumulative}"><title>${d.date}: Σ(actual − expected) ${num(d.cumulative, 3)} ${unit}</title></circle>`);
  return html`<figure class="chart">
<figcaption>${title} <span class="unit">(${unit}, Σ actual − expected)</span></figcaption>
${svg(title, ticks, [...grid, html`<polyline points="${polyline(days.map((d, i) => [x(i), y(d.cumulative)]))}" class="cusum"/>`, ...dots, ...marks, ...labels])}
<div class="legend"><span class="key"><i class="cusum"></i>cumulative deviation (CUSUM)</span><span class="key"><i class="change"></i>change point: where it began, ● where it was signalled</span></div>
</figure>`;
}
