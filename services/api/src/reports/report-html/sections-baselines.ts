import type { MonthlyReport } from '../report-schema.ts';
import { table } from './cells.ts';
import { baselineBandChart, cusumChart } from './charts/baseline-days.ts';
import { digitsFor, num } from './format.ts';
import { html, type Markup } from './markup.ts';

type Section = MonthlyReport['baselinesAndIntegrity'];
type BaselineRow = Section['baselines'][number];

const subjectOf = (b: BaselineRow): string => (b.point === null ? 'standard coal of the enterprise (equivalent value)' : `metering point ${b.point}`);
const percent = (v: number): string => `${num(v, 2)} %`;

function modelBlock(b: BaselineRow): Markup {
  const m = b.model;
  if (m === null) return html``;
  const verdict = m.passed
    ? html`<span class="pass" data-fit="passed">meets</span> ASHRAE Guideline 14 (${m.criteria})`
    : html`<span class="fail" data-fit="failed">fails</span> ASHRAE Guideline 14 (${m.criteria}): ${m.failures.join('; ')}`;
  return html`<dl class="meta" data-baseline-model="${b.id}">
<dt>variables</dt><dd>${m.variables.length > 0 ? m.variables.join(', ') : 'none (the mean day)'}${b.product ? html` <small>(production of ${b.product})</small>` : ''}</dd>
<dt>fitted on</dt><dd>${m.baselineDays} days${m.excludedDays > 0 ? `, ${m.excludedDays} left out (a variable missing)` : ''}</dd>
<dt>R²</dt><dd>${m.rSquared === null ? 'undefined' : num(m.rSquared, 3)}</dd>
<dt>CV(RMSE), NMBE</dt><dd>${percent(m.cvRmsePercent)}, ${percent(m.nmbePercent)}</dd>
<dt>fit</dt><dd>${verdict}</dd>
</dl>`;
}

function savingsBlock(b: BaselineRow): Markup {
  const s = b.savings;
  if (s === null) return html``;
  const d = digitsFor(s.expandedUncertainty);
  const claim = s.claimed ? html`<span class="pass">claimed</span>` : html`<span class="fail" data-not-claimed>not claimed</span>: ${s.notClaimedReasons.join('; ')}`;
  return html`<p data-savings="${b.id}" data-value="${s.savings}" data-u="${s.expandedUncertainty}">Savings over ${s.days} day${s.days === 1 ? '' : 's'} (${b.reporting!.from} to ${b.reporting!.to}): <strong>${num(s.savings, d)} ± ${num(s.expandedUncertainty, d)} ${b.unit}</strong> — expected ${num(s.adjustedBaseline, d)}, actual ${num(s.actual, d)}; ${claim}.</p>`;
}

function baselineBlock(b: BaselineRow): Markup {
  const charts =
    b.days.length === 0
      ? html``
      : html`${baselineBandChart(`${b.id}: actual against expected, ${b.reporting!.from} to ${b.reporting!.to}`, b.unit, b.days.map((d) => ({ date: d.date, actual: d.actual, expected: d.expected, low: d.predictionLow, high: d.predictionHigh, outside: d.outside, cumulative: d.cumulativeDeviation })))}
${cusumChart(`${b.id}: cumulative deviation`, b.unit, b.days.map((d) => ({ date: d.date, actual: d.actual, expected: d.expected, low: d.predictionLow, high: d.predictionHigh, outside: d.outside, cumulative: d.cumulativeDeviation })), b.changePoints)}`;
  const changes =
    b.changePoints.length === 0
      ? html``
      : html`<p class="note">Change points: ${b.changePoints.map((c, i) => html`${i > 0 ? '; ' : ''}${c.direction} from ${c.startDate} (signalled ${c.signalDate}, about ${num(c.shift, digitsFor(Math.abs(c.shift) / 10))} ${b.unit} a day)`)}.</p>`;
  return html`<div class="baseline" data-baseline="${b.id}">
<h3>Baseline ${b.id}: ${subjectOf(b)}, ${b.period.from} to ${b.period.to}</h3>
${modelBlock(b)}
${savingsBlock(b)}
${b.reason === null ? '' : html`<p class="note nodata" data-baseline-reason>${b.reason}.</p>`}
${charts}
${changes}
</div>`;
}

const findingRow = (f: Section['fabrication']['findings'][number]): Markup =>
  html`<tr data-finding="${f.point}/${f.detector}"><td>${f.point}</td><td>${f.detector}</td><td>${f.summary}</td><td class="num">revision ${f.revision}</td></tr>`;

/**
 * Energy baselines and data integrity: each declared baseline's model, the month's savings
 * with U and the chart of its days; then the signs of fabricated or tampered data the
 * fabrication detectors published for the month.
 */
export function baselinesSection(r: MonthlyReport): Markup {
  const s = r.baselinesAndIntegrity;
  const f = s.fabrication;
  return html`<section class="page" id="baselines-and-integrity">
<h2>Energy baselines and data integrity</h2>
<p class="note">Each energy baseline the enterprise declared (ISO 50001, ISO 50006) is fitted here on its period's stored day figures, and the days of ${r.month} after that period are judged against it: expected is the model's prediction, the band its 95 % prediction interval. Savings = expected − actual (positive: less energy than the baseline expects), ± U (k = 2; ASHRAE Guideline 14 Annex B, with the meters'); they are claimed only when the fit meets the guideline and the savings exceed their uncertainty. The day figures are covered by the inputs hash.</p>
${s.baselinesReason === null ? '' : html`<p class="note nodata">${s.baselinesReason}.</p>`}
${s.baselines.map(baselineBlock)}
<h3>Signs of fabricated or tampered data, ${r.month}</h3>
<p class="note">The fabrication detectors' judgements of each metering point's month, shown ${f.source}, each with its revision; the inputs hash does not cover them.</p>
<p data-fabrication="${f.status}" class="${f.status === 'found' ? 'fail' : f.status === 'none-found' ? 'pass' : 'nodata'}">${f.statement[0]!.toUpperCase()}${f.statement.slice(1)}.</p>
${f.findings.length === 0 ? '' : table(html`<th>metering point</th><th>detector</th><th>finding</th><th class="num">published</th>`, f.findings.map(findingRow))}
</section>`;
}
