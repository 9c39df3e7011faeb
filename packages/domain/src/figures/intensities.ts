import { scaleTerm, sumTerms, toFigure, type Term } from './figure.ts';
import type { IntensityFigures } from './enterprise-figures.ts';
import type { StandardCoal } from './standard-coal.ts';
import type { ProductionInput } from '../manual/manual-production.ts';

/** A term per unit of a denominator; one entered by hand makes the figure rest on a manual entry. */
function perUnit(t: Term, prod: ProductionInput): Term {
  const scaled = scaleTerm(t, 1 / prod.value, prod.relativeU);
  return prod.manual ? { ...scaled, flags: new Set([...scaled.flags, 'manual']) } : scaled;
}

/**
 * Energy and carbon per unit of production (productionInputs: the manifest's and the manual
 * entries' for exactly this period): of a site (standard coal only, as site carbon is not
 * split) or of the enterprise.
 */
export function intensities(production: readonly ProductionInput[], coal: StandardCoal, totalLocationCO2: Term, factorSet: string): IntensityFigures[] {
  return production.map((prod) => {
    const tceTerm = prod.siteId ? sumTerms(coal.boundaryTce.filter((b) => b.siteId === prod.siteId)) : coal.tceEquivalent;
    return {
      product: prod.product,
      siteId: prod.siteId,
      production: prod.value,
      productionUnit: prod.unit,
      productionRelativeU: prod.relativeU,
      tcePerUnit: toFigure(perUnit(tceTerm, prod), `tce/${prod.unit}`, factorSet),
      tCO2PerUnit: prod.siteId ? null : toFigure(perUnit(totalLocationCO2, prod), `tCO2/${prod.unit}`, factorSet),
    };
  });
}
