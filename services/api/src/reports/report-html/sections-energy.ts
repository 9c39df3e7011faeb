import type { MonthlyReport } from '../report-schema.ts';
import { carrierColour, carrierLabel } from './carrier-colours.ts';
import { figureCell, figureHeaders, qualityCells, table } from './cells.ts';
import { stackedBars } from './charts/stacked-bars.ts';
import { html, type Markup } from './markup.ts';

/** Comprehensive energy consumption (GB/T 2589-2020) by carrier, both bases, and by site. */
export function energySection(r: MonthlyReport): Markup {
  const rows = r.energy.byCarrier.map(
    (c) => html`<tr><td>${carrierLabel(c.carrier, c.direction)}</td><td class="id">${c.points.join(', ')}</td>${figureCell(c.tceEquivalent, `energy.${c.direction}.${c.carrier}.tceEquivalent`)}${figureCell(c.tceEqualValue, `energy.${c.direction}.${c.carrier}.tceEqualValue`)}${figureCell(c.tCO2LocationNet, `energy.${c.direction}.${c.carrier}.tCO2LocationNet`)}${qualityCells(c.tceEquivalent)}</tr>`,
  );
  const { tceEquivalent, tceEqualValue } = r.energy.comprehensive;
  rows.push(
    html`<tr><th>comprehensive (inputs − outputs)</th><th></th>${figureCell(tceEquivalent)}${figureCell(tceEqualValue)}${figureCell(r.carbon.totalLocationNetOfExports)}${qualityCells(tceEquivalent)}</tr>`,
  );
  const sites = r.energy.sites.map((s) => html`<tr><td>${s.name}</td><td class="id">${s.id}</td>${figureCell(s.tceEquivalent, `site.${s.id}.tceEquivalent`)}${qualityCells(s.tceEquivalent)}</tr>`);
  return html`<section class="page" id="energy">
<h2>Energy consumption (${r.energy.standard})</h2>
<p class="note">Standard coal of the boundary points, tce, ± the expanded uncertainty U (k = 2). Equivalent value: electricity at 0.1229 kgce/kWh; equal value: at the factor set's coal rate of power generation. CO₂: location-based, net of exports (fuels: scope 1; purchased electricity: scope 2; heat and steam: purchased heat; exported electricity: a deduction).</p>
${table(html`<th>carrier</th><th>points</th><th class="num">tce, equivalent value</th><th class="num">tce, equal value</th><th class="num">tCO₂, location, net</th><th class="num">coverage</th><th>quality</th>`, rows)}
<h3>By site (tce, equivalent value)</h3>
${table(html`<th>site</th><th>id</th>${figureHeaders('tce')}`, sites)}
</section>`;
}

/** The month day by day: stacked bars by carrier for tce and CO₂, then the day totals. */
export function dailySection(r: MonthlyReport): Markup {
  const days = r.daily.map((d) => d.day);
  const labels = days.map((d) => String(Number(d.slice(8))));
  const series = (pick: 'tceEquivalent' | 'tCO2LocationNet') =>
    r.energy.byCarrier.map((c, i) => ({
      name: carrierLabel(c.carrier, c.direction),
      colour: carrierColour(c.carrier, c.direction, i),
      values: r.daily.map((d) => d.byCarrier.find((x) => x.carrier === c.carrier && x.direction === c.direction)?.[pick].value ?? 0),
    }));
  const partial = r.daily.map((d) => d.tceEquivalent.coveragePercent < 100);
  const rows = r.daily.map(
    (d) => html`<tr><td>${d.day}</td>${figureCell(d.tceEquivalent, `daily.${d.day}.tceEquivalent`)}${figureCell(d.tCO2LocationNet, `daily.${d.day}.tCO2LocationNet`)}${qualityCells(d.tceEquivalent)}</tr>`,
  );
  return html`<section class="page" id="daily">
<h2>Day by day (${r.enterprise.timeZone} local days)</h2>
${stackedBars({ title: 'Standard coal by carrier, equivalent value', unit: 'tce', categories: days, labels, series: series('tceEquivalent'), partial })}
${stackedBars({ title: 'CO₂ by carrier, location-based, net of exports', unit: 'tCO₂', categories: days, labels, series: series('tCO2LocationNet'), partial })}
<p class="note">Exports and other boundary outputs are deducted: they stack below zero. Each day is accounted as the month is (meterline account --by day).</p>
${table(html`<th>day</th><th class="num">tce, equivalent value</th><th class="num">tCO₂, location, net</th><th class="num">coverage</th><th>quality</th>`, rows)}
</section>`;
}
