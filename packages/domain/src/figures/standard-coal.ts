import type { Enterprise, MeteringPoint } from '../registry/manifest-schema.ts';
import { formatLocalIso } from '../calendar/zoned-time.ts';
import type { FactorSet } from '../reference/factor-set.ts';
import { unitDimension } from '../units.ts';

import { scaleTerm, sumTerms, toFigure, type Term } from './figure.ts';
import {
  boundarySign, convertTerm, incompleteTerm,
  type AccountingIssue, type AccountingOptions, type ConsumedPoint, type EnterpriseFigures, type PointFigures, type SignedTerm,
} from './enterprise-figures.ts';

export interface StandardCoal {
  points: PointFigures[];
  /** Boundary points' standard coal (equivalent value), with their site. */
  boundaryTce: Array<SignedTerm & { siteId: string }>;
  /** Comprehensive energy consumption, equivalent value. */
  tceEquivalent: Term;
  /** The same with electricity at its equal value, when asked for. */
  tceEqualValue: Term | null;
  sites: EnterpriseFigures['sites'];
}

/**
 * Standard coal per point and for the enterprise, GB/T 2589-2020 section 4.2: E = Σ Eᵢ·kᵢ over
 * the boundary inputs less the outputs, at equivalent value and, with `equalValue`, with
 * electricity at its equal value. Problems found go to `issues`.
 */
export function standardCoal(
  enterprise: Enterprise,
  points: readonly ConsumedPoint[],
  factorSet: FactorSet,
  options: AccountingOptions,
  issues: AccountingIssue[],
): StandardCoal {
  const tz = enterprise.timeZone;
  const fs = factorSet.id;

  const tceOf = (point: MeteringPoint, term: Term, electricityAtEqualValue: boolean, report = true): Term | undefined => {
    if (point.quantity.startsWith('reactive')) return undefined;
    let factor;
    if (point.carrier === 'electricity' && electricityAtEqualValue) {
      factor = factorSet.electricityEqualValue();
    } else {
      const dim = unitDimension(point.unit);
      const hint = dim === 'energy' ? 'energy' : dim === 'mass' ? 'mass' : 'volume';
      const r = factorSet.standardCoal(point.carrier, hint, point.steamPressureMPa);
      if (!r.ok) {
        if (report) issues.push({ code: r.error.code, message: r.error.message, pointId: point.id });
        return undefined;
      }
      factor = r.factor;
    }
    const activity = convertTerm(term, point.unit, factor.perUnit);
    if (!activity) {
      if (report) {
        issues.push({
          code: 'MTL_DOMAIN_INCOMPATIBLE_UNITS',
          message: `${point.id}: consumption in ${point.unit} cannot be converted to ${factor.perUnit} for the ${factor.key} coefficient`,
          pointId: point.id,
        });
      }
      return undefined;
    }
    // kgce → tce.
    return scaleTerm(activity, factor.value / 1000, factor.relativeUncertainty);
  };

  const pointFigures: PointFigures[] = [];
  const boundaryTce: StandardCoal['boundaryTce'] = [];
  const boundaryTceEqual: SignedTerm[] = [];
  for (const { point, siteId, term, suspects } of points) {
    const tce = tceOf(point, term, false);
    const sign = boundarySign(point);
    if (sign !== 0) {
      if (tce) boundaryTce.push({ siteId, term: tce, sign });
      else if (!point.quantity.startsWith('reactive')) boundaryTce.push({ siteId, term: incompleteTerm(term), sign });
      if (options.equalValue) {
        const eq = tceOf(point, term, point.carrier === 'electricity', false);
        if (eq) boundaryTceEqual.push({ term: eq, sign });
      }
    }
    pointFigures.push({
      id: point.id,
      name: point.name ?? null,
      siteId,
      carrier: point.carrier,
      quantity: point.quantity,
      role: point.topology.role,
      parent: point.topology.parent ?? null,
      consumption: toFigure(term, point.unit, fs),
      tce: tce ? toFigure(tce, 'tce', fs) : null,
      suspects: suspects.map((s) => ({
        start: formatLocalIso(s.start, tz),
        end: formatLocalIso(s.end, tz),
        status: s.status,
        startRegister: s.startValue,
        endRegister: s.endValue,
        rejectedDelta: s.rejectedDelta ?? null,
      })),
    });
  }
  return {
    points: pointFigures,
    boundaryTce,
    tceEquivalent: sumTerms(boundaryTce),
    tceEqualValue: options.equalValue ? sumTerms(boundaryTceEqual) : null,
    sites: enterprise.sites.map((s) => ({ id: s.id, name: s.name, tce: toFigure(sumTerms(boundaryTce.filter((b) => b.siteId === s.id)), 'tce', fs) })),
  };
}
