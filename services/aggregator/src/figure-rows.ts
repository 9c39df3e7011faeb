import type { FigureV1 } from '@meterline/contracts';
import { FIGURE_MEASUREMENTS } from '@meterline/contracts';
import type { EnterpriseFigures, Figure, Period } from '@meterline/domain';

/** What every figure of one accounting shares. */
interface RowContext {
  enterpriseId: string;
  period: Period;
  registryVersion: string;
}

type Subject = FigureV1['subject'];
type Detail = FigureV1['detail'];

/** The parts of a figure its publication carries. */
type Values = Pick<FigureV1, 'value' | 'unit' | 'expandedUncertainty' | 'coveragePercent' | 'estimated' | 'flags' | 'factorSet'>;

const valuesOf = (f: Figure): Values => ({
  value: f.value,
  unit: f.unit,
  expandedUncertainty: f.expandedUncertainty,
  coveragePercent: f.coveragePercent,
  estimated: f.quality.estimated,
  flags: [...f.quality.flags],
  factorSet: f.factorSet,
});

function row(ctx: RowContext, measurement: FigureV1['measurement'], subject: Subject, values: Values, detail: Detail = {}): FigureV1 {
  return {
    measurement,
    enterpriseId: ctx.enterpriseId,
    subject,
    periodKind: ctx.period.kind,
    periodKey: ctx.period.key,
    startMs: ctx.period.start,
    endMs: ctx.period.end,
    ...values,
    registryVersion: ctx.registryVersion,
    revision: 0,
    detail,
  };
}

const CARBON_SCOPES = {
  scope1: 'scope1',
  'scope2-location': 'scope2Location',
  'scope2-market': 'scope2Market',
  'purchased-heat': 'purchasedHeat',
  'exported-electricity': 'exportedElectricity',
  'total-location': 'totalLocation',
  'total-market': 'totalMarket',
  'total-location-net': 'totalLocationNetOfExports',
} as const;

/**
 * The publishable figures of one enterprise accounting, one per series: point consumption,
 * standard coal (enterprise, sites), energy balances, carbon by scope and intensities.
 */
export function figureRows(accounting: EnterpriseFigures, period: Period, registryVersion: string): FigureV1[] {
  const ctx: RowContext = { enterpriseId: accounting.id, period, registryVersion };
  const rows: FigureV1[] = [];
  for (const p of accounting.points) {
    const detail: Detail = { suspect_intervals: p.consumption.quality.suspectIntervals, outside_calibration: p.consumption.quality.readingsOutsideCalibration };
    if (p.tce) Object.assign(detail, { tce: p.tce.value, tce_u: p.tce.expandedUncertainty });
    rows.push(row(ctx, FIGURE_MEASUREMENTS.consumption, { site: p.siteId, point: p.id, carrier: p.carrier, quantity: p.quantity, role: p.role }, valuesOf(p.consumption), detail));
  }
  // Enterprise-wide figures carry the region, so a regulator's dashboards can filter by it.
  const region = accounting.region;
  rows.push(row(ctx, FIGURE_MEASUREMENTS.standardCoal, { region, level: 'enterprise', basis: 'equivalent' }, valuesOf(accounting.tceEquivalent)));
  if (accounting.tceEqualValue) rows.push(row(ctx, FIGURE_MEASUREMENTS.standardCoal, { region, level: 'enterprise', basis: 'equal-value' }, valuesOf(accounting.tceEqualValue)));
  for (const site of accounting.sites) rows.push(row(ctx, FIGURE_MEASUREMENTS.standardCoal, { region, level: 'site', site: site.id, basis: 'equivalent' }, valuesOf(site.tce)));
  for (const b of accounting.balances) {
    // The gap is the figure; its U combines the parent's and the children's meters (energy-balance.ts).
    const values = { value: b.gap === 0 ? 0 : b.gap, unit: b.unit, expandedUncertainty: b.gapExpandedUncertainty, coveragePercent: b.coverage * 100, estimated: 0, flags: [], factorSet: b.factorSet };
    const detail = { input: b.input, children_sum: b.childrenSum, significant: b.significant, children: b.childIds.join(',') };
    rows.push(row(ctx, FIGURE_MEASUREMENTS.energyBalance, { site: b.siteId, node: b.parentId, carrier: b.carrier }, values, detail));
  }
  for (const [scope, key] of Object.entries(CARBON_SCOPES)) rows.push(row(ctx, FIGURE_MEASUREMENTS.carbon, { region, scope }, valuesOf(accounting.carbon[key])));
  for (const i of accounting.intensities) {
    const site: Subject = i.siteId ? { region, site: i.siteId } : { region };
    const detail = { production: i.production, production_unit: i.productionUnit };
    rows.push(row(ctx, FIGURE_MEASUREMENTS.intensity, { product: i.product, metric: 'tce', ...site }, valuesOf(i.tcePerUnit), detail));
    if (i.tCO2PerUnit) rows.push(row(ctx, FIGURE_MEASUREMENTS.intensity, { product: i.product, metric: 'tco2', ...site }, valuesOf(i.tCO2PerUnit), detail));
  }
  return rows;
}
