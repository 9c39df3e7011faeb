import { FIGURE_KINDS, type FigureV1 } from '@meterline/contracts';
import type { Period } from '@meterline/domain';
import { FABRICATION_DETECTORS, type FabricationFinding } from '@meterline/mining';
import { FIGURE_DETAIL_FIELDS as D, FIGURE_TAGS as T } from '@meterline/series';

/** A finding's figure counts: 1 found, 0 clean, so findings sum over points and months. */
const FINDING_UNIT = 'finding';
const VERDICTS = { found: 'found', clean: 'clean' } as const;

export interface FindingContext {
  enterpriseId: string;
  month: Period;
  registryVersion: string;
  /** The metered points judged. */
  pointIds: readonly string[];
  factorSet: string;
}

/**
 * One fabrication_finding figure per judged point and detector (issue 20): value 1 with the
 * finding's sentence and evidence when the detector found signs of fabricated or tampered
 * data, 0 and empty text when not. The verdict (found, clean) is what a restatement follows.
 * A verdict, not a measurement: no uncertainty, and coverage 100 (not the point's month's, so a
 * late reading restates a finding only when it turns it, not each time it moves the coverage).
 */
export function findingRows(findings: readonly FabricationFinding[], ctx: FindingContext): FigureV1[] {
  const found = new Map(findings.map((f) => [`${f.pointId}|${f.detector}`, f]));
  return ctx.pointIds.flatMap((pointId) =>
    FABRICATION_DETECTORS.map((detector): FigureV1 => {
      const finding = found.get(`${pointId}|${detector}`);
      return {
        measurement: FIGURE_KINDS.fabricationFinding,
        enterpriseId: ctx.enterpriseId,
        subject: { [T.point]: pointId, [T.detector]: detector },
        periodKind: ctx.month.kind,
        periodKey: ctx.month.key,
        startMs: ctx.month.start,
        endMs: ctx.month.end,
        value: finding ? 1 : 0,
        unit: FINDING_UNIT,
        expandedUncertainty: 0,
        coveragePercent: 100,
        estimated: 0,
        flags: [],
        factorSet: ctx.factorSet,
        registryVersion: ctx.registryVersion,
        revision: 0,
        detail: {
          [D.findingSummary]: finding?.summary ?? '',
          [D.evidence]: finding ? JSON.stringify(finding.evidence) : '',
          [D.verdict]: finding ? VERDICTS.found : VERDICTS.clean,
        },
      };
    }),
  );
}
