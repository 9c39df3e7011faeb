import { describe, expect, it } from 'vitest';
import { FABRICATION_PATTERNS, generateMeteringFleet, injectFabrication, planInjections, type FabricationPattern } from '@meterline/simulator';
import { FABRICATION_DETECTORS, detectFabrication, type FabricationDetector, type FabricationInputs } from '../../src/index.ts';

/**
 * Precision and recall of each detector on a seeded fleet: 48 sites of a main meter and six
 * sub-meters (336 points), one month plus 28 history days of quarter-hours; 12 points per
 * pattern tampered, the rest clean. A finding is a true positive when its point carries the
 * detector's own pattern; clean points are those carrying no pattern at all.
 */
const SEED = 20;
const fleet = generateMeteringFleet({ seed: SEED, month: '2026-03', sites: 48, childrenPerSite: 6 });
const plan = planInjections(fleet, 12, SEED);
const tampered = injectFabrication(fleet, plan, SEED);
// The simulator's series are the detectors' inputs as they stand: the shapes agree.
const inputs: FabricationInputs = tampered;
const findings = detectFabrication(inputs);

// Each simulator pattern is the detector of the same name.
const detectorOf: Record<FabricationPattern, FabricationDetector> = Object.fromEntries(FABRICATION_PATTERNS.map((p) => [p, p])) as Record<FabricationPattern, FabricationDetector>;

interface Row {
  detector: FabricationDetector;
  injected: number;
  truePositives: number;
  falsePositives: number;
  cleanFlagged: number;
  precision: number;
  recall: number;
  falseAlarmRate: number;
}

function evaluate(): Row[] {
  const patternOf = new Map(plan.map((i) => [i.pointId, detectorOf[i.pattern]] as const));
  const clean = tampered.points.filter((p) => !patternOf.has(p.pointId)).map((p) => p.pointId);
  return FABRICATION_DETECTORS.map((detector) => {
    const flagged = new Set(findings.filter((f) => f.detector === detector).map((f) => f.pointId));
    const injected = plan.filter((i) => detectorOf[i.pattern] === detector).map((i) => i.pointId);
    const truePositives = injected.filter((id) => flagged.has(id)).length;
    const falsePositives = flagged.size - truePositives;
    const cleanFlagged = clean.filter((id) => flagged.has(id)).length;
    return {
      detector, injected: injected.length, truePositives, falsePositives, cleanFlagged,
      precision: flagged.size === 0 ? NaN : truePositives / flagged.size,
      recall: truePositives / injected.length,
      falseAlarmRate: cleanFlagged / clean.length,
    };
  });
}

describe('fabrication detectors on a seeded fleet (seed 20, 336 points, 2026-03)', () => {
  const rows = evaluate();
  const clean = tampered.points.length - plan.length;

  it('prints the table', () => {
    const pct = (v: number) => (Number.isNaN(v) ? '—' : `${(v * 100).toFixed(1)} %`);
    const lines = rows.map((r) => `| ${r.detector} | ${r.injected} | ${r.truePositives} | ${r.falsePositives} | ${pct(r.precision)} | ${pct(r.recall)} | ${r.cleanFlagged}/${clean} = ${pct(r.falseAlarmRate)} |`);
    console.log(['| detector | injected | TP | FP | precision | recall | false alarms on clean points |', '|---|---|---|---|---|---|---|', ...lines].join('\n'));
    expect(rows).toHaveLength(FABRICATION_DETECTORS.length);
  });

  it.each(FABRICATION_DETECTORS)('%s finds its pattern in at least 10 of 12 points', (detector) => {
    const row = rows.find((r) => r.detector === detector)!;
    expect(row.injected).toBe(12);
    expect(row.truePositives).toBeGreaterThanOrEqual(10);
  });

  it.each(FABRICATION_DETECTORS)('%s flags at most 1 % of the clean points', (detector) => {
    const row = rows.find((r) => r.detector === detector)!;
    expect(row.falseAlarmRate).toBeLessThanOrEqual(0.01);
  });

  it('gives every finding its month, evidence and a sentence', () => {
    expect(findings.length).toBeGreaterThan(0);
    for (const f of findings) {
      expect(f.month).toBe('2026-03');
      expect(f.summary).toContain(f.pointId);
      expect(Object.keys(f.evidence).length).toBeGreaterThan(0);
    }
  });
});
