import type { Carrier } from '../carriers.ts';
import type { EnterpriseFigures } from '../figures/enterprise-figures.ts';
import type { Figure } from '../figures/figure.ts';
import type { Enterprise } from '../registry/manifest-schema.ts';
import { energyClassOf, type EnergyClass } from './energy-classes.ts';
import { scoreMonth, type IndicatorValue, type Scorecard } from './scorecard.ts';

const BOUNDARY_SIGN: Readonly<Record<string, 1 | -1>> = { 'boundary-input': 1, 'boundary-output': -1 };

/** A figure a regulator receives: not "no data" (nothing bounds it) and not left incomplete for want of a factor. */
const published = (f: Figure): boolean => !(f.coveragePercent === 0 && f.value === 0) && !f.quality.flags.includes('incomplete');

/**
 * The uploaded indicators one period's accounting gives: comprehensive energy consumption
 * (GB/T 2589-2020: boundary inputs − outputs, in tce), primary and secondary energy (the same
 * sum over the carriers of each class), and per product its output and unit-product energy
 * consumption. A class the enterprise has no boundary point of is an exact zero.
 */
export function indicatorsOf(figures: EnterpriseFigures): IndicatorValue[] {
  const periodKind = figures.period.kind === 'day' ? 'day' : figures.period.kind === 'month' ? 'month' : undefined;
  if (periodKind === undefined) return [];
  const at = { periodKind, periodKey: figures.period.key, startMs: Date.parse(figures.period.start) } as const;
  const out: IndicatorValue[] = [];
  if (published(figures.tceEquivalent)) out.push({ indicator: 'comprehensive-energy', ...at, value: figures.tceEquivalent.value });
  for (const energyClass of ['primary', 'secondary'] as const satisfies readonly EnergyClass[]) {
    const points = figures.points.filter((p) => BOUNDARY_SIGN[p.role] !== undefined && energyClassOf(p.carrier as Carrier) === energyClass);
    // A class is uploaded when every point of it has its standard coal.
    if (points.some((p) => !p.tce || !published(p.tce))) continue;
    out.push({ indicator: `${energyClass}-energy`, ...at, value: points.reduce((s, p) => s + BOUNDARY_SIGN[p.role]! * p.tce!.value, 0) });
  }
  for (const i of figures.intensities) {
    if (i.siteId !== null) continue;
    // Output value and value added come as the denominators of their intensities (10^4 CNY).
    if (i.product === 'output-value' || i.product === 'value-added') {
      out.push({ indicator: i.product, ...at, value: i.production });
      continue;
    }
    out.push({ indicator: 'output', product: i.product, ...at, value: i.production });
    if (published(i.tcePerUnit)) out.push({ indicator: 'unit-product-energy', product: i.product, ...at, value: i.tcePerUnit.value });
  }
  return out;
}

/**
 * The scorecard of an enterprise's month from its accounting: the month's figures and those of
 * each of its local days, as published. Completeness is each metered point's over the month
 * (an entry made by hand has no readings due). The products whose output and unit-product
 * consumption are required: every product the registry records production of, and any the
 * month has; naming the products that have a consumption limit standard is for the registry.
 */
export function monthScorecard(enterprise: Enterprise, month: EnterpriseFigures, days: readonly EnterpriseFigures[]): Scorecard {
  const money = new Set(['output-value', 'value-added']);
  const products = new Set([
    ...(enterprise.production ?? []).filter((p) => p.site === undefined).map((p) => p.product),
    ...month.intensities.filter((i) => i.siteId === null && !money.has(i.product)).map((i) => i.product),
  ]);
  return scoreMonth({
    enterpriseId: enterprise.id,
    timeZone: enterprise.timeZone,
    month: month.period.key,
    indicators: [month, ...days].flatMap(indicatorsOf),
    points: month.points.filter((p) => !p.consumption.quality.flags.includes('manual')).map((p) => ({ pointId: p.id, completenessPercent: p.consumption.completenessPercent })),
    products: [...products].sort(),
  });
}
