import { describe, expect, it } from 'vitest';
import { FIGURE_KINDS } from '@meterline/contracts';
import { calendarPeriod, createFactorCatalog, parseManifest } from '@meterline/domain';
import { FABRICATION_DETECTORS } from '@meterline/mining';
import { FIGURE_DETAIL_FIELDS as D, FIGURE_TAGS as T, READING_FIELDS, READINGS_MEASUREMENT, readFigures, readingTags } from '@meterline/series';
import { generateMeteringFleet, injectFabrication, type MeteringFleet } from '@meterline/simulator';
import { aggregateEnterprise } from '../src/aggregate-enterprise.ts';
import { registryVersion } from '../src/registry-version.ts';
import { engineHarness } from './engine-harness.ts';

/**
 * Issue 20 through the aggregator: a site's main meter and three sub-meters read every 15
 * minutes with their clocks' jitter (the simulator's metering fleet, seed 4, in which the
 * detectors find nothing), February as March's history. s0-sub1's register is stuck for some
 * March days while the load behind it keeps running. The month unit runs the detectors over the
 * quarter-hours the day units stored.
 */
const SEED = 4;
const TZ = 'Asia/Shanghai';
const clean = generateMeteringFleet({ seed: SEED, month: '2026-03', sites: 1, childrenPerSite: 3 });
const tampered = injectFabrication(clean, [{ pointId: 's0-sub1', pattern: 'flat-register' }], SEED);

const enterprise = (() => {
  const point = (id: string, accuracyClass: number, topology: string) =>
    `          - { id: ${id}, carrier: electricity, quantity: active-energy-import, unit: kWh, accuracyClass: ${accuracyClass}, expectedInterval: PT15M,
              calibration: { certificate: c, validFrom: 2024-01-01, validUntil: 2029-12-31 }, topology: ${topology} }`;
  const parsed = parseManifest(
    `
version: 1
enterprises:
  - id: works
    name: Works
    region: CN-CQ
    gridRegion: southwest
    timeZone: ${TZ}
    factorSet: { name: cn-2023, version: 1.0.0 }
    scope2Level: provincial
    sites:
      - id: s0
        name: Site 0
        meteringPoints:
${point('s0-main', 0.5, '{ role: boundary-input }')}
${['s0-sub0', 's0-sub1', 's0-sub2'].map((id) => point(id, 1, '{ role: sub-meter, parent: s0-main }')).join('\n')}
    devices: []
`,
    'works.yaml',
  );
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
  return parsed.manifest.enterprises[0]!;
})();

const factorSet = (() => {
  const r = createFactorCatalog().resolve('cn-2023', '1.0.0');
  if (!r.ok) throw r.error;
  return r.factor;
})();
const february = calendarPeriod('2026-02', TZ);
const march = calendarPeriod('2026-03', TZ);

/** Each point's register as its device read it: the increments summed, stamped at the device's (jittered) instants. */
const readingsOf = (fleet: MeteringFleet) =>
  fleet.points.flatMap((p) => {
    let register = 10_000;
    const at = (timestampMs: number, value: number) => ({ measurement: READINGS_MEASUREMENT, tags: readingTags('works', p.pointId), fields: { [READING_FIELDS.value]: value }, timestampMs });
    return [at(p.increments[0]!.start, register), ...p.increments.map((x, k) => at(p.readingTimes[k]!, (register = Math.round((register + x.value) * 1000) / 1000)))];
  });

async function judged(fleet: MeteringFleet) {
  const harness = engineHarness();
  await harness.store.write(readingsOf(fleet));
  const run = () =>
    aggregateEnterprise(harness.deps, { enterprise, factorSet, registryVersion: registryVersion(enterprise), kinds: ['quarter-hour', 'month'], range: { start: february.start, end: march.end }, now: Date.UTC(2026, 5, 1) });
  const result = await run();
  const findings = (await readFigures(harness.store, 'works', march, ['month'])).filter((f) => f.measurement === FIGURE_KINDS.fabricationFinding);
  return { ...harness, result, findings, run };
}

describe('fabrication_finding: each closed month, each metered point by each detector', () => {
  it('a stuck register: 1 for that point and detector, 0 for every clean one; its readings corrected, the finding is restated clean', { timeout: 120_000 }, async () => {
    const { findings, result, store, run, restated } = await judged(tampered);
    expect(findings).toHaveLength(4 * FABRICATION_DETECTORS.length);
    const found = findings.filter((f) => f.value === 1);
    expect(found.map((f) => f.subject)).toEqual([{ [T.point]: 's0-sub1', [T.detector]: 'flat-register' }]);
    const [finding] = found;
    expect(finding).toMatchObject({ unit: 'finding', expandedUncertainty: 0, coveragePercent: 100, periodKind: 'month', periodKey: '2026-03' });
    expect(finding!.detail[D.verdict]).toBe('found');
    expect(finding!.detail[D.findingSummary]).toMatch(/^s0-sub1 did not move for \d days/);
    const evidence = JSON.parse(finding!.detail[D.evidence] as string) as { parentId: string; flatDays: string[] };
    expect(evidence.parentId).toBe('s0-main');
    expect(evidence.flatDays.length).toBeGreaterThanOrEqual(2);
    for (const f of findings.filter((x) => x.value === 0)) expect(f.detail).toMatchObject({ [D.verdict]: 'clean', [D.findingSummary]: '', [D.evidence]: '' });
    expect(result.units.find((u) => u.unit === '2026-03')!.fabrication).toMatchObject({ figures: 24, added: 24, changed: 0 });

    // The device's true readings replace the stuck ones (same instants): the verdict turns.
    await store.write(readingsOf(clean));
    await run();
    const turned = restated.filter((r) => r.measurement === FIGURE_KINDS.fabricationFinding);
    expect(turned.map((r) => [r.subject, r.periodKey, r.old.value, r.new.value, r.reason])).toEqual([[{ [T.point]: 's0-sub1', [T.detector]: 'flat-register' }, '2026-03', 1, 0, 'READINGS_CHANGED']]);
    expect(turned[0]!.detail).toContain('verdict found → clean');
    // The clean twin: every point clean by every detector.
    const after = (await readFigures(store, 'works', march, ['month'])).filter((f) => f.measurement === FIGURE_KINDS.fabricationFinding);
    expect(after).toHaveLength(4 * FABRICATION_DETECTORS.length);
    expect(after.filter((f) => f.value !== 0 || f.detail[D.verdict] !== 'clean')).toEqual([]);
  });
});
