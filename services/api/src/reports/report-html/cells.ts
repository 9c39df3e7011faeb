import { html, type Markup } from './markup.ts';
import { formatFigure, formatPercent, isNoData, num, digitsFor, type Figure } from './format.ts';

/**
 * A figure as a table cell: "value ± U" (or "no data"), and its exact numbers in data
 * attributes under `key`, so a reader of the page (the end-to-end test) compares them with
 * the JSON report and `meterline account` without parsing rounded text.
 */
export function figureCell(f: Figure | null, key?: string): Markup {
  if (!f) return html`<td class="num">—</td>`;
  const attributes = key === undefined ? html`` : html` data-figure="${key}" data-value="${f.value}" data-u="${f.expandedUncertainty}" data-coverage="${f.coveragePercent}"`;
  return isNoData(f) ? html`<td class="num nodata"${attributes}>no data</td>` : html`<td class="num"${attributes}>${formatFigure(f, false)}</td>`;
}

/** Coverage, the estimated part and the quality flags of a figure: what a reader needs to judge it. */
export function qualityCells(f: Figure | null): Markup {
  if (!f) return html`<td class="num">—</td><td></td>`;
  const estimated = f.quality.estimated !== 0 ? html`<span class="flag">estimated ${num(f.quality.estimated, digitsFor(f.expandedUncertainty))} ${f.unit}</span>` : '';
  return html`<td class="num">${formatPercent(f.coveragePercent)}</td><td>${estimated}${f.quality.flags.map((flag) => html`<span class="flag">${flag}</span>`)}</td>`;
}

/** Table header cells for a figure and its quality. */
export const figureHeaders = (label: string): Markup => html`<th class="num">${label}</th><th class="num">coverage</th><th>quality</th>`;

export function table(headers: Markup, rows: readonly Markup[], empty = 'none'): Markup {
  return html`<table><thead><tr>${headers}</tr></thead><tbody>${rows.length > 0 ? rows : html`<tr><td colspan="99" class="nodata">${empty}</td></tr>`}</tbody></table>`;
}
