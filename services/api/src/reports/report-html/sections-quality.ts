import type { MonthlyReport } from '../report-schema.ts';
import { figureCell, qualityCells, table } from './cells.ts';
import { percentBars, type PercentRow } from './charts/percent-bars.ts';
import { formatPercent } from './format.ts';
import { html, type Markup } from './markup.ts';

/**
 * The regulator's completeness minimum: readings uploaded ÷ readings due ≥ 90 % (one
 * province's published upload rules for key energy-consuming units' online monitoring; L–M).
 */
const COMPLETENESS_MINIMUM_PERCENT = 90;

/** Metering points, their completeness, calibration, and every flag and issue of the month. */
export function qualitySection(r: MonthlyReport, completeness: readonly PercentRow[]): Markup {
  const points = r.meteringPoints.map(
    (p) => html`<tr><td class="id">${p.id}</td><td>${p.name ?? ''}</td><td>${p.carrier}</td><td>${p.role}${p.parent ? html` of ${p.parent}` : ''}</td>${figureCell(p.consumption, `point.${p.id}.consumption`)}<td>${p.consumption.unit}</td>${qualityCells(p.consumption)}<td class="num">${p.verifiedReadings.used}</td><td class="num">${formatPercent(p.verifiedReadings.percent)}</td></tr>`,
  );
  const calibration = r.calibration.map(
    (c) => html`<tr><td class="id">${c.pointId}</td><td>${c.certificate}</td><td>${c.validFrom}</td><td>${c.validUntil}</td><td class="status-${c.status}">${c.status}</td><td class="num">${c.readingsOutsideCalibration}</td></tr>`,
  );
  const issues = r.dataQuality.issues.map((i) => html`<tr><td>${i.code}</td><td>${i.pointId ?? ''}</td><td>${i.message}</td></tr>`);
  return html`<section class="page" id="quality">
<h2>Data quality</h2>
${percentBars('Completeness by metering point', completeness, COMPLETENESS_MINIMUM_PERCENT)}
<h3>Metering points</h3>
${table(html`<th>point</th><th>name</th><th>carrier</th><th>role</th><th class="num">consumption ± U</th><th>unit</th><th class="num">coverage</th><th>quality</th><th class="num">readings</th><th class="num">signed</th>`, points)}
<h3>Calibration</h3>
${table(html`<th>point</th><th>certificate</th><th>valid from</th><th>valid until</th><th>status this month</th><th class="num">readings outside</th>`, calibration)}
<h3>Flags and issues</h3>
<p>Flags on the month's figures: ${r.dataQuality.flags.length > 0 ? r.dataQuality.flags.map((f) => html`<span class="flag">${f}</span>`) : html`<span class="pass">none</span>`}. Suspect intervals: ${r.dataQuality.suspectIntervals}.</p>
${table(html`<th>code</th><th>point</th><th>message</th>`, issues, 'no issue')}
</section>`;
}

/** The regulator's upload data-quality rules as judged for the month, each with its source and what failed. */
export function scorecardSection(r: MonthlyReport): Markup {
  const card = r.scorecard;
  const rows = card.outcomes.map(
    (s) => html`<tr data-rule="${s.rule}"><td>${s.rule}<br><small>${s.requirement}</small></td><td class="${s.passed ? 'pass' : 'fail'}">${s.passed ? 'passed' : 'failed'}</td><td>${s.detail}</td><td>${s.source} (${s.confidence})</td></tr>`,
  );
  return html`<section class="page" id="scorecard">
<h2>Quality scorecard</h2>
<p>${card.passed ? html`<span class="pass">Every rule passed.</span>` : html`<span class="fail">${card.outcomes.filter((o) => !o.passed).length} of ${card.outcomes.length} rules failed.</span>`} Rules: ${card.rules}.</p>
${table(html`<th>rule</th><th>result</th><th>detail</th><th>source</th>`, rows, 'no rule applies')}
</section>`;
}
