import type { Enterprise } from '../registry/manifest-schema.ts';
import type { Period } from '../calendar/period.ts';
import { scaleTerm, sumTerms, toFigure, type Term } from './figure.ts';
import type { IntensityFigures } from './enterprise-figures.ts';
import type { StandardCoal } from './standard-coal.ts';

/**
 * Energy and carbon per unit of production, for the production recorded for exactly this
 * period: of a site (standard coal only, as site carbon is not split) or of the enterprise.
 */
export function intensities(enterprise: Enterprise, period: Period, coal: StandardCoal, totalLocationCO2: Term, factorSet: string): IntensityFigures[] {
  const out: IntensityFigures[] = [];
  for (const prod of enterprise.production ?? []) {
    if (prod.period !== period.key || prod.value <= 0) continue;
    const tceTerm = prod.site ? sumTerms(coal.boundaryTce.filter((b) => b.siteId === prod.site)) : coal.tceEquivalent;
    out.push({
      product: prod.product,
      siteId: prod.site ?? null,
      production: prod.value,
      productionUnit: prod.unit,
      tcePerUnit: toFigure(scaleTerm(tceTerm, 1 / prod.value, 0), `tce/${prod.unit}`, factorSet),
      tCO2PerUnit: prod.site ? null : toFigure(scaleTerm(totalLocationCO2, 1 / prod.value, 0), `tCO2/${prod.unit}`, factorSet),
    });
  }
  return out;
}
