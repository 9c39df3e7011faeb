import { html, type Markup } from '../markup.ts';
import { num } from '../format.ts';
import { linearScale, px } from './scale.ts';

export interface TargetBar {
  label: string;
  ceiling: number;
  toDate: number | null;
  projection: number;
  /** U (k = 2) of the projection. */
  expandedUncertainty: number;
  /** on-track, at-risk, exceeded, no-data: the band's colour. */
  status: string;
}

const WIDTH = 180;
const HEIGHT = 20;
const PAD = 2;
const KNOWN_STATUSES = new Set(['on-track', 'at-risk', 'exceeded', 'no-data']);

/**
 * A target in one line: from zero to a little past the farthest of the ceiling and the band's
 * upper end, the value to date as a bar, the projection's band (± U) and the ceiling as a red
 * line. Small enough to sit in a table cell; its numbers are in data attributes.
 */
export function targetBar(t: TargetBar): Markup {
  const low = Math.max(0, t.projection - t.expandedUncertainty);
  const high = t.projection + t.expandedUncertainty;
  const reach = Math.max(t.ceiling, high, t.toDate ?? 0) * 1.08;
  const x = linearScale(0, reach > 0 ? reach : 1, PAD, WIDTH - PAD);
  const status = KNOWN_STATUSES.has(t.status) ? t.status : 'no-data';
  const toDate = t.toDate === null ? '' : html`<rect x="${PAD}" y="7" width="${px(Math.max(0, x(t.toDate) - PAD))}" height="6" class="to-date"/>`;
  return html`<svg class="target-bar" viewBox="0 0 ${WIDTH} ${HEIGHT}" width="${WIDTH}" height="${HEIGHT}" role="img" aria-label="${t.label}: projection ${num(t.projection, 3)} ± ${num(t.expandedUncertainty, 3)} against a ceiling of ${num(t.ceiling, 3)}" data-ceiling="${t.ceiling}" data-band-from="${low}" data-band-to="${high}"><rect x="${PAD}" y="4" width="${WIDTH - 2 * PAD}" height="12" class="track"/>${toDate}<rect x="${px(x(low))}" y="4" width="${px(Math.max(1, x(high) - x(low)))}" height="12" class="band target-${status}"/><line x1="${px(x(t.projection))}" x2="${px(x(t.projection))}" y1="2" y2="18" class="projection"/><line x1="${px(x(t.ceiling))}" x2="${px(x(t.ceiling))}" y1="0" y2="${HEIGHT}" class="threshold"/></svg>`;
}
