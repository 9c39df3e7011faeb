import type { MonthlyReport } from './report-schema.ts';
import type { PercentRow } from './report-html/charts/percent-bars.ts';
import { formatFigure, formatPercent, type Figure } from './report-html/format.ts';
import { html } from './report-html/markup.ts';
import { carbonSection } from './report-html/sections-carbon.ts';
import { balanceSection } from './report-html/sections-balance.ts';
import { baselinesSection } from './report-html/sections-baselines.ts';
import { dailySection, energySection } from './report-html/sections-energy.ts';
import { qualitySection, scorecardSection } from './report-html/sections-quality.ts';
import { targetsSection } from './report-html/sections-targets.ts';
import { REPORT_CSS } from './report-html/styles.ts';

/**
 * Nothing but the inline style sheet and inline images may load, and no script may run: the
 * page is whole in itself (a PDF is printed from it offline), and a name that slipped past
 * escaping still could not act.
 */
export const REPORT_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:";

/** The completeness chart's rows from the report. */
function completenessRows(r: MonthlyReport): PercentRow[] {
  return r.meteringPoints.map((p) => ({ pointId: p.id, percent: p.consumption.completenessPercent }));
}

/**
 * The monthly report as one self-contained, printable HTML page: the JSON report's tables,
 * charts as inline SVG, inline CSS (A4, a page per section), no script, no external resource.
 * Every string from the registry is escaped (the `html` tag does it by default).
 */
export function reportHtml(r: MonthlyReport): string {
  const title = `${r.enterprise.name} — energy and carbon report ${r.month}`;
  const key = (label: string, figure: Figure, name: string) =>
    html`<div><div class="label">${label}</div><div class="value" data-key-figure="${name}">${formatFigure(figure)}</div></div>`;
  const factor = r.carbon.scope2LocationFactor;
  return html`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${REPORT_CSP}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title}</title>
<style>${REPORT_CSS}</style>
</head>
<body>
<header class="report">
<h1>Monthly energy and carbon report — ${r.month}</h1>
<div data-enterprise-name>${r.enterprise.name}</div>
<dl class="meta">
<dt>enterprise</dt><dd>${r.enterprise.id}</dd><dt>region, grid</dt><dd>${r.enterprise.region}, ${r.enterprise.gridRegion}</dd>
<dt>period</dt><dd>${r.period.start} – ${r.period.end}</dd><dt>time zone</dt><dd>${r.enterprise.timeZone}</dd>
<dt>factor set</dt><dd>${r.factorSet}</dd><dt>scope 2 level</dt><dd>${r.enterprise.scope2Level}${factor ? `, ${factor.value} ${factor.unit}` : ''}</dd>
<dt>readings used</dt><dd>${r.readingsUsed}</dd><dt>coverage</dt><dd>${formatPercent(r.coverage.percent)}</dd>
</dl>
<div class="keyfigures">
${key('Comprehensive energy consumption, equivalent value', r.energy.comprehensive.tceEquivalent, 'tceEquivalent')}
${key('Comprehensive energy consumption, equal value', r.energy.comprehensive.tceEqualValue, 'tceEqualValue')}
${key('CO₂, location-based, net of exports', r.carbon.totalLocationNetOfExports, 'tCO2LocationNet')}
</div>
<p class="note">Computed from the stored readings with the accounting of <code>meterline account --period ${r.month} --equal-value</code>. Every figure: value ± expanded uncertainty U (k = 2, about 95 %); "no data" where no reading bounds any of the period.</p>
</header>
${energySection(r)}
${dailySection(r)}
${carbonSection(r)}
${balanceSection(r)}
${qualitySection(r, completenessRows(r))}
${scorecardSection(r)}
${targetsSection(r)}
${baselinesSection(r)}
<footer class="report">Inputs hash (SHA-256 of the canonical registry entry, factor set, readings used, manual entries and the baselines' day figures): <code data-inputs-hash>${r.inputsHash}</code> · ${r.schema} · ${r.enterprise.id} ${r.month}</footer>
</body>
</html>
`.text;
}
