import { CARBON_SCOPES } from '@meterline/domain';
import type { MonthlyReport } from '../report-schema.ts';
import { figureCell, figureHeaders, qualityCells, table } from './cells.ts';
import { digitsFor, formatPercent, num, type Figure } from './format.ts';
import { html, type Markup } from './markup.ts';

const SCOPE_LABELS: Record<keyof typeof CARBON_SCOPES, string> = {
  scope1: 'Scope 1, fuel combustion (GB/T 32150)',
  'scope2-location': 'Scope 2, purchased electricity, location-based',
  'scope2-market': 'Scope 2, purchased electricity, market-based',
  'purchased-heat': 'Purchased heat and steam',
  'exported-electricity': 'Exported electricity (deduction)',
  'total-location': 'Total, location-based',
  'total-market': 'Total, market-based',
  'total-location-net': 'Total, location-based, net of exports',
};

/** Carbon by scope with U, the grid factor used, intensities and the year-on-year comparison. */
export function carbonSection(r: MonthlyReport): Markup {
  const rows = (Object.entries(CARBON_SCOPES) as Array<[keyof typeof CARBON_SCOPES, keyof typeof r.carbon]>).map(([scope, key]) => {
    const f = r.carbon[key] as Figure;
    return html`<tr><td>${SCOPE_LABELS[scope]}</td>${figureCell(f, `carbon.${scope}`)}${qualityCells(f)}</tr>`;
  });
  const factor = r.carbon.scope2LocationFactor;
  const intensities = r.intensities.map(
    (i) => html`<tr><td>${i.product}</td><td>${i.siteId ?? 'enterprise'}</td><td class="num">${num(i.production, 3)} ${i.productionUnit}</td>${figureCell(i.tcePerUnit, `intensity.${i.product}${i.siteId ? `@${i.siteId}` : ''}.tce`)}${figureCell(i.tCO2PerUnit)}${qualityCells(i.tcePerUnit)}</tr>`,
  );
  const yoy = r.yearOnYear.comparison;
  const yoyRows = (yoy ?? []).map(
    (y) => {
      // The finer of the two uncertainties sets the decimals of the row (3 when both are exact).
      const finer = Math.min(...[y.currentExpandedUncertainty, y.previousExpandedUncertainty].filter((u) => u > 0));
      const d = digitsFor(Number.isFinite(finer) ? finer : 0);
      return html`<tr><td>${y.metric}</td><td>${y.unit}</td><td class="num">${num(y.current, d)} ± ${num(y.currentExpandedUncertainty, d)}</td><td class="num">${num(y.previous, d)} ± ${num(y.previousExpandedUncertainty, d)}</td><td class="num">${formatPercent(y.previousCoveragePercent)}</td><td class="num">${num(y.change, d)}</td><td class="num">${y.changePercent === null ? '—' : `${num(y.changePercent, 1)} %`}</td></tr>`;
    },
  );
  return html`<section class="page" id="carbon">
<h2>Carbon dioxide</h2>
${table(html`<th>scope</th>${figureHeaders('tCO₂')}`, rows)}
<p class="note">${factor ? html`Grid factor for location-based scope 2: ${factor.value} ${factor.unit} (${r.enterprise.scope2Level} level; ${factor.source}).` : html`No grid factor applies at the ${r.enterprise.scope2Level} level for ${r.enterprise.region}: location-based scope 2 is not computed (see the issues under data quality).`}</p>
<h3>Intensity per unit of production</h3>
${table(html`<th>product</th><th>site</th><th class="num">production</th><th class="num">tce per unit</th><th class="num">tCO₂ per unit</th><th class="num">coverage</th><th>quality</th>`, intensities, 'no production recorded for the month')}
<h3>Year on year (${r.yearOnYear.month})</h3>
${yoy ? table(html`<th>metric</th><th>unit</th><th class="num">this month ± U</th><th class="num">a year earlier ± U</th><th class="num">its coverage</th><th class="num">change</th><th class="num">change %</th>`, yoyRows) : html`<p class="nodata">${r.yearOnYear.reason ?? 'no comparison'}</p>`}
</section>`;
}
