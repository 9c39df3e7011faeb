import type { MonthlyReport } from '../report-schema.ts';
import { table } from './cells.ts';
import { gapBandChart, type GapRow } from './charts/gap-band.ts';
import { digitsFor, formatPercent, num } from './format.ts';
import { html, type Markup } from './markup.ts';

/** A balance row as the chart draws it: the gap and its U in percent of the node's input. */
const gapRow = (b: MonthlyReport['balances'][number]): GapRow => ({
  label: b.node,
  gapPercent: b.gapPercent,
  uPercent: b.input === 0 ? null : (b.gapExpandedUncertainty / Math.abs(b.input)) * 100,
  significant: b.significant,
});

/** GB/T 3484-2009 energy balance per node: input, sub-meters, gap ± U, and whether the gap is significant. */
export function balanceSection(r: MonthlyReport): Markup {
  const rows = r.balances.map((b) => {
    const d = digitsFor(b.gapExpandedUncertainty);
    return html`<tr><td>${b.node}</td><td>${b.children.join(', ')}</td><td>${b.unit}</td><td class="num">${num(b.input, d)}</td><td class="num">${num(b.childrenSum, d)}</td><td class="num" data-figure="balance.${b.node}.gap" data-value="${b.gap}" data-u="${b.gapExpandedUncertainty}">${num(b.gap, d)} ± ${num(b.gapExpandedUncertainty, d)}</td><td class="num">${formatPercent(b.gapPercent)}</td><td class="${b.significant ? 'fail' : 'pass'}">${b.significant ? 'significant' : 'within U'}</td><td class="num">${formatPercent(b.coveragePercent)}</td></tr>`;
  });
  return html`<section class="page" id="balances">
<h2>Energy balance (GB/T 3484-2009)</h2>
<p class="note">Each node's metered input against the sum of its sub-meters. No published tolerance closes a balance: a gap is significant when it exceeds its expanded uncertainty U = 2·√(u_node² + Σu_child²), the meters being independent instruments.</p>
${r.balances.length > 0 ? gapBandChart('Balance gap per node', r.balances.map(gapRow)) : ''}
${table(html`<th>node</th><th>sub-meters</th><th>unit</th><th class="num">input</th><th class="num">Σ sub-meters</th><th class="num">gap ± U</th><th class="num">gap %</th><th>judgement</th><th class="num">coverage</th>`, rows, 'no node has sub-meters')}
</section>`;
}
