import type { Figure } from '@meterline/domain';
import type { AccountOutput } from './account-output.ts';

// One formatter per precision: toLocaleString builds a new one per call, which dominated
// the time of a month printed by quarter-hours.
const formats = new Map<number, Intl.NumberFormat>();
export function num(v: number, digits: number): string {
  let f = formats.get(digits);
  if (!f) formats.set(digits, (f = new Intl.NumberFormat('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits })));
  return f.format(v);
}

/**
 * "61.450 ± 0.355 tce" with a precision fitted to the uncertainty; "no data" when no reading
 * bounds any of the period (0 % coverage, nothing estimated), which a 0.000 ± 0.000 would
 * present as a measured zero.
 */
export function formatFigure(f: Figure | null, digits = 3): string {
  if (!f) return '—';
  if (f.coveragePercent === 0 && f.value === 0) return 'no data';
  return `${num(f.value, digits)} ± ${num(f.expandedUncertainty, digits)} ${f.unit}`;
}

const percent = (v: number) => `${num(v, 1)} %`;

/** "95.2 % (2,832/2,976)": completeness with the counts behind it. */
const completeness = (f: Figure) => `${percent(f.completenessPercent)} (${num(f.quality.readingsReceived, 0)}/${num(f.quality.readingsExpected, 0)})`;

/** The estimated part of a figure, in its unit; a plain 0 when nothing is. */
const estimated = (f: Figure, digits = 3) => (f.quality.estimated === 0 ? '0' : `${num(f.quality.estimated, digits)} ${f.unit}`);

export function table(headers: string[], rows: string[][]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [line(headers), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

/** Flags of a balance's meter that put its gap in doubt. */
const WEAK_METER_FLAGS = new Set<string>(['gap', 'estimated', 'calibration-invalid', 'suspect-drop', 'suspect-over-capacity', 'conflicting-duplicate']);

/** A readable report, one block per entry; the JSON output is the reference, this is for people. */
export function formatTable(out: AccountOutput): string {
  const parts: string[] = [];
  for (const e of out.enterprises) {
    // Headed by the period key: with --by there is one block per enterprise and sub-period.
    parts.push(`${e.period.key} (${e.period.kind}, ${e.period.start} – ${e.period.end}): ${e.name} (${e.id}), ${e.region}, factor set ${e.factorSet}`);
    parts.push('');
    parts.push(
      table(
        ['point', 'site', 'carrier', 'role', 'consumption (U, k=2)', 'tce', 'coverage', 'completeness (readings)', 'estimated', 'rollovers', 'outside calibration', 'flags'],
        e.points.map((p) => [
          p.id, p.siteId, p.carrier, p.role,
          formatFigure(p.consumption), formatFigure(p.tce, 4),
          percent(p.consumption.coveragePercent), completeness(p.consumption), estimated(p.consumption),
          String(p.consumption.quality.rollovers), String(p.consumption.quality.readingsOutsideCalibration), p.consumption.quality.flags.join(' '),
        ]),
      ),
    );
    parts.push('');
    const c = e.carbon;
    const totals: Array<[string, Figure | null]> = [
      ['energy, equivalent value', e.tceEquivalent],
      ['energy, equal value', e.tceEqualValue],
      ...e.sites.map((s): [string, Figure] => [`  site ${s.id}`, s.tce]),
      ['CO2 scope 1 (fuels)', c.scope1],
      ...c.scope1ByFuel.map((f): [string, Figure] => [`  scope 1 ${f.carrier} (${formatFigure(f.activity)})`, f.co2]),
      [`CO2 scope 2 location (${e.scope2Level}${c.scope2LocationFactor ? ` ${c.scope2LocationFactor.value} tCO2/MWh` : ''})`, c.scope2Location],
      ['CO2 scope 2 market', c.scope2Market],
      ['CO2 purchased heat', c.purchasedHeat],
      ['CO2 exported electricity (deduction)', c.exportedElectricity],
      ['CO2 total, location-based', c.totalLocation],
      ['CO2 total, market-based', c.totalMarket],
      ['CO2 total, location, net of exports', c.totalLocationNetOfExports],
    ];
    parts.push(
      table(
        ['figure', 'value (U, k=2)', 'estimated', 'coverage', 'completeness (readings)', 'flags'],
        totals
          .filter((t): t is [string, Figure] => t[1] !== null)
          .map(([label, f]) => [label, formatFigure(f, 3), estimated(f), percent(f.coveragePercent), completeness(f), f.quality.flags.join(' ')]),
      ),
    );
    if (e.balances.length > 0) {
      parts.push('');
      parts.push(
        table(
          ['balance node', 'input', 'children', 'gap', 'gap %', 'U(gap)', 'significant', 'estimated', 'completeness (readings)', 'outside calibration', 'flags'],
          e.balances.map((b) => [
            b.parentId, `${num(b.input, 1)} ${b.unit}`, num(b.childrenSum, 1), num(b.gap, 1),
            b.gapPercent === null ? '—' : `${num(b.gapPercent, 2)} %`, num(b.gapExpandedUncertainty, 1), b.significant ? 'YES' : 'no',
            percent(b.quality.estimatedPercent),
            `${percent(b.quality.completenessPercent)} (${num(b.quality.readingsReceived, 0)}/${num(b.quality.readingsExpected, 0)})`,
            String(b.quality.readingsOutsideCalibration), b.quality.flags.join(' '),
          ]),
        ),
      );
      // Which meter of a balance is weak: a gap is only as good as the meters on both sides.
      const weak = e.balances.flatMap((b) =>
        b.quality.parts
          .filter((p) => p.flags.some((f) => WEAK_METER_FLAGS.has(f)) || p.completenessPercent < 100 || p.readingsOutsideCalibration > 0)
          .map((p) =>
            `  ${b.parentId}: ${p.side === 'input' ? 'input' : 'child'} ${p.pointId}: completeness ${percent(p.completenessPercent)}, coverage ${percent(p.coveragePercent)}, ` +
            `estimated ${num(p.estimated, 1)} ${b.unit}, ${p.readingsOutsideCalibration} readings outside calibration; ${p.flags.join(' ')}`,
          ),
      );
      if (weak.length > 0) parts.push('', 'balance meters with missing, estimated or uncalibrated data:', ...weak);
    }
    for (const i of e.intensities) {
      parts.push(`intensity ${i.product}${i.siteId ? ` (${i.siteId})` : ''}: ${formatFigure(i.tcePerUnit, 5)}${i.tCO2PerUnit ? `, ${formatFigure(i.tCO2PerUnit, 5)}` : ''}`);
    }
    const suspects = e.points.flatMap((p) => p.suspects.map((s) => `  ${p.id} ${s.start} → ${s.end}: ${s.status} (register ${s.startRegister} → ${s.endRegister}), not booked`));
    if (suspects.length > 0) parts.push('', 'suspect intervals:', ...suspects);
    if (e.issues.length > 0) parts.push('', 'issues:', ...e.issues.map((i) => `  ${i.code}${i.pointId ? ` ${i.pointId}` : ''}: ${i.message}`));
    parts.push('', '');
  }
  return parts.join('\n');
}
