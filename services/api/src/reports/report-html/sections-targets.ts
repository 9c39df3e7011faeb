import type { MonthlyReport } from '../report-schema.ts';
import { table } from './cells.ts';
import { targetBar } from './charts/target-bar.ts';
import { digitsFor, num } from './format.ts';
import { html, type Markup } from './markup.ts';

type Section = MonthlyReport['targetsAndLimits'];
type TargetRow = Section['targets'][number];
type RegionRow = Section['region'][number];
type ComplianceRow = Section['compliance'][number];

/** A target's status in words; its CSS class is `status-<status>` for these alone (anything else is shown as text, unstyled). */
const STATUS_TEXT: Readonly<Record<string, string>> = { 'on-track': 'on track', 'at-risk': 'at risk', exceeded: 'exceeded', 'no-data': 'no data' };

/** A limit verdict in words, as a regulator reads it; `verdict-<verdict>` is its class. */
const VERDICT_TEXT: Readonly<Record<string, string>> = {
  'clearly-above': 'clearly above',
  'clearly-below': 'clearly below',
  undecidable: "not decidable at the data's quality",
  unconfirmed: "value not confirmed from the standard's text: no verdict",
  'not-applicable': 'no figure to judge',
};

const SPAN_TEXT: Readonly<Record<string, string>> = { month: 'month', 'year-to-date': 'year to date' };

const statusCell = (status: string, rule: string | null): Markup =>
  html`<td class="${status in STATUS_TEXT ? `status-${status}` : ''}" data-status="${status}">${STATUS_TEXT[status] ?? status}${rule ? html`<br><small>${rule}</small>` : ''}</td>`;

const verdictText = (verdict: string | null): string => (verdict === null ? '—' : (VERDICT_TEXT[verdict] ?? verdict));
const verdictClass = (verdict: string | null): string => (verdict !== null && verdict in VERDICT_TEXT ? `verdict-${verdict}` : '');

/** "value ± U" in a cell, its exact numbers in data attributes under `key` (as figureCell does), "—" when there is no value. */
function uncertainCell(key: string, value: number | null, u: number | null, digits: number): Markup {
  if (value === null) return html`<td class="num">—</td>`;
  const shown = u === null ? num(value, digits) : `${num(value, digits)} ± ${num(u, digits)}`;
  return html`<td class="num" data-figure="${key}" data-value="${value}" data-u="${u ?? ''}">${shown}</td>`;
}

const monthCount = (months: number): string => `${months} month${months === 1 ? '' : 's'}`;
const plain = (value: number | null, digits: number): Markup => html`<td class="num">${value === null ? '—' : num(value, digits)}</td>`;
const targetName = (t: { metric: string; basis: string | null }): string => (t.basis ? `${t.metric} (${t.basis})` : t.metric);
const targetKey = (t: { metric: string; basis: string | null }): string => (t.basis ? `${t.metric}.${t.basis}` : t.metric);

function targetRow(t: TargetRow): Markup {
  // Ceiling, to date and projection share the target's unit: shown to the decimal the projection's U allows.
  const d = digitsFor(t.projectionExpandedUncertainty);
  const bar = t.ceiling === null ? html`` : targetBar({ label: targetName(t), ceiling: t.ceiling, toDate: t.toDate, projection: t.projection, expandedUncertainty: t.projectionExpandedUncertainty, status: t.status });
  return html`<tr data-target="${targetKey(t)}"><td>${targetName(t)}${t.year === null ? '' : html`<br><small>${t.year}</small>`}</td><td>${t.unit}</td>${plain(t.ceiling, d)}${uncertainCell(`target.${targetKey(t)}.toDate`, t.toDate, t.toDateExpandedUncertainty, digitsFor(t.toDateExpandedUncertainty ?? 0))}${uncertainCell(`target.${targetKey(t)}.projection`, t.projection, t.projectionExpandedUncertainty, d)}<td>${bar}</td>${statusCell(t.status, t.statusRule)}<td>${t.months === null ? '' : `${monthCount(t.months)}, `}${t.profile ?? ''}</td><td class="num">revision ${t.revision}</td></tr>`;
}

function regionRow(p: RegionRow): Markup {
  const d = digitsFor(p.projectionExpandedUncertainty);
  const bar = targetBar({ label: targetName(p), ceiling: p.ceiling, toDate: p.toDate, projection: p.projection, expandedUncertainty: p.projectionExpandedUncertainty, status: p.status });
  return html`<tr data-region-target="${targetKey(p)}"><td>${targetName(p)}<br><small>${p.year}, ${p.targetId}</small></td><td>${p.unit}</td>${plain(p.ceiling, d)}${uncertainCell(`region.${targetKey(p)}.toDate`, p.toDate, p.toDateExpandedUncertainty, digitsFor(p.toDateExpandedUncertainty))}${uncertainCell(`region.${targetKey(p)}.projection`, p.projection, p.projectionExpandedUncertainty, d)}<td>${bar}</td>${statusCell(p.status, p.statusRule)}<td>${p.enterprises.length} counted${p.missing.length > 0 ? html`; <span class="fail">missing: ${p.missing.join(', ')}</span>` : ''}<br><small>${monthCount(p.months)}, ${p.profile}; computed ${p.computedAt}</small></td></tr>`;
}

function gradeCell(grade: ComplianceRow['limit'], digits: number): Markup {
  if (grade.value === null && grade.verdict === null) return html`<td class="num">—</td>`;
  return html`<td class="num">${grade.value === null ? 'not confirmed' : num(grade.value, digits)}<br><small class="${verdictClass(grade.verdict)}">${verdictText(grade.verdict)}</small></td>`;
}

function complianceRow(c: ComplianceRow): Markup {
  const d = digitsFor(c.expandedUncertainty);
  const key = `limit.${c.standard}${c.siteId ? `@${c.siteId}` : ''}.${c.span}`;
  return html`<tr data-compliance="${key}"><td>${c.product}${c.siteId ? html`<br><small>site ${c.siteId}</small>` : ''}</td><td>${c.standardNumber ?? c.standard}${c.clause ? html`, clause ${c.clause}` : ''}<br><small>${c.standard}</small></td><td>${SPAN_TEXT[c.span] ?? c.span}${c.months === null ? '' : html`<br><small>${monthCount(c.months)}</small>`}</td>${uncertainCell(key, c.value, c.expandedUncertainty, d)}<td>${c.unit}</td><td class="${verdictClass(c.verdict)}" data-verdict="${c.verdict}">${verdictText(c.verdict)}${c.bindingGrade ? html`<br><small>held to the ${c.bindingGrade} value</small>` : ''}</td>${gradeCell(c.limit, d)}${gradeCell(c.access, d)}${gradeCell(c.advanced, d)}<td class="num">revision ${c.revision}</td></tr>`;
}

const reason = (text: string | null): Markup => (text === null ? html`` : html`<p class="note nodata">${text}.</p>`);

/**
 * Dual-control targets and the mandatory energy-consumption limit standards: the enterprise's
 * targets and its region's as of the month, each product's unit consumption against its
 * standard for the month and the year to date. Shown as the aggregator published them.
 */
export function targetsSection(r: MonthlyReport): Markup {
  const s = r.targetsAndLimits;
  return html`<section class="page" id="targets-and-limits">
<h2>Targets and limits</h2>
<p class="note">These figures are shown ${s.source}, each with its revision (0 as first published, one more per restatement); they are not recomputed for this report and the inputs hash does not cover them. Every value: ± expanded uncertainty U (k = 2). Bars: the projection's band (projection ± U) against the ceiling (red line); the darker bar is the value to date.</p>
<h3>Dual-control targets of ${r.enterprise.id}, as of ${r.month}</h3>
${reason(s.targetsReason)}
${table(html`<th>target</th><th>unit</th><th class="num">ceiling</th><th class="num">to date ± U</th><th class="num">projection ± U</th><th>against the ceiling</th><th>status and rule</th><th>basis of projection</th><th class="num">published</th>`, s.targets.map(targetRow), 'no target')}
<h3>Region ${r.enterprise.region}, as of ${r.month}</h3>
${reason(s.regionReason)}
${table(html`<th>target</th><th>unit</th><th class="num">ceiling</th><th class="num">to date ± U</th><th class="num">projection ± U</th><th>against the ceiling</th><th>status and rule</th><th>enterprises</th>`, s.region.map(regionRow), 'no region target')}
<h3>Products against their energy-consumption limit standards, ${r.month} and the year to date</h3>
<p class="note">Unit-product comprehensive energy consumption ± U against the standard's limit value (existing plants), access value (new plants) and advanced value. Clearly above: even the lower end of the band is above the value; clearly below: even the upper end is below; otherwise it is not decidable at the data's quality. A value not confirmed from the standard's text gives no verdict.</p>
${reason(s.complianceReason)}
${table(html`<th>product</th><th>standard, clause</th><th>span</th><th class="num">unit consumption ± U</th><th>unit</th><th>verdict</th><th class="num">limit</th><th class="num">access</th><th class="num">advanced</th><th class="num">published</th>`, s.compliance.map(complianceRow), 'no product')}
</section>`;
}
