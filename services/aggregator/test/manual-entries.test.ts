import { describe, expect, it } from 'vitest';
import { FIGURE_KINDS, type FigureV1, type RestatementV1 } from '@meterline/contracts';
import { calendarPeriod, createFactorCatalog, parseManifest, type ManualEntry } from '@meterline/domain';
import {
  FIGURE_DETAIL_FIELDS, FIGURE_TAGS, READING_FIELDS, READINGS_MEASUREMENT, readFigures, readingTags, RESTATEMENT_MEASUREMENT, restatementOf, restatementTags, writeManualEntries,
  type UnreadableRow,
} from '@meterline/series';
import { InMemoryStore } from '@meterline/store';
import { aggregateEnterprise, type AggregationDeps, type FigurePublisher } from '../src/aggregate-enterprise.ts';
import { registryVersion } from '../src/registry-version.ts';

/**
 * Issue 15, item 3: the aggregator reads the stored manual entries, so the month's figures
 * include a fuel known only by deliveries and stock; a correction restates them with its reason.
 * The numbers are the domain's worked example (packages/domain/test/manual), computed there by hand.
 */
const parsed = parseManifest(
  `
version: 1
enterprises:
  - id: plant
    name: Plant
    region: CN-CQ
    gridRegion: southwest
    timeZone: Asia/Shanghai
    factorSet: { name: cn-2023, version: 1.0.0 }
    scope2Level: provincial
    sites:
      - id: s1
        name: Site 1
        meteringPoints:
          - { id: main, carrier: electricity, quantity: active-energy-import, unit: kWh, accuracyClass: 0.5,
              calibration: { certificate: c, validFrom: 2024-01-01, validUntil: 2029-12-31 }, topology: { role: boundary-input } }
    devices: []
`,
  'manual.yaml',
);
if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
const enterprise = parsed.manifest.enterprises[0]!;
const factorSet = (() => {
  const r = createFactorCatalog().resolve('cn-2023', '1.0.0');
  if (!r.ok) throw r.error;
  return r.factor;
})();
const march = calendarPeriod('2025-03', enterprise.timeZone);
const fail = (row: UnreadableRow) => expect.fail(`${row.measurement} row unreadable: ${row.reason}`);

const entry = (id: string, over: Omit<ManualEntry, 'id' | 'enterpriseId' | 'enteredBy' | 'enteredAt' | 'document'> & Partial<ManualEntry>): ManualEntry => ({
  id,
  enterpriseId: 'plant',
  document: `doc ${id}`,
  enteredBy: 'a-energy-manager',
  enteredAt: '2025-04-02T09:00:00+08:00',
  ...over,
});
const diesel = [
  entry('me-1', { kind: 'fuel-stock', period: '2025-02', carrier: 'diesel', value: 12, unit: 't', errorPercent: 1 }),
  entry('me-2', { kind: 'fuel-delivery', period: '2025-03', carrier: 'diesel', value: 20_000, unit: 'kg', errorPercent: 0.5 }),
  entry('me-3', { kind: 'fuel-delivery', period: '2025-03-17', carrier: 'diesel', value: 15, unit: 't', errorPercent: 0.5 }),
  entry('me-4', { kind: 'fuel-stock', period: '2025-03', carrier: 'diesel', value: 9.5, unit: 't', errorPercent: 1 }),
];
const correction = entry('me-5', {
  kind: 'fuel-stock', period: '2025-03', carrier: 'diesel', value: 11.5, unit: 't', errorPercent: 1,
  corrects: 'me-4', reason: 'dip misread: 9.5 t was tank 2', enteredAt: '2025-04-10T10:00:00+08:00', enteredBy: 'ops-admin',
});

async function harness() {
  const store = new InMemoryStore();
  // main: 0 → 100 000 kWh over March.
  await store.write([march.start, march.end].map((at, i) => ({ measurement: READINGS_MEASUREMENT, tags: readingTags('plant', 'main'), fields: { [READING_FIELDS.value]: i * 100_000 }, timestampMs: at })));
  const restated: RestatementV1[] = [];
  const publisher: FigurePublisher = {
    publish(_e, _figures, restatements) {
      restated.push(...restatements);
      return Promise.resolve();
    },
  };
  const deps: AggregationDeps = { store, publisher, readingsMeasurement: READINGS_MEASUREMENT, boundSearchMs: 35 * 86_400_000, writeChunkPoints: 500, accounting: {}, onUnreadable: fail };
  const run = () => aggregateEnterprise(deps, { enterprise, factorSet, registryVersion: registryVersion(enterprise), kinds: ['month'], range: { start: march.start, end: march.end }, now: Date.UTC(2025, 5, 1) });
  const month = async () => readFigures(store, 'plant', { start: march.start, end: march.end }, ['month']);
  return { store, restated, run, month };
}

const find = (figures: FigureV1[], kind: FigureV1['measurement'], subject: Record<string, string>) =>
  figures.filter((f) => f.measurement === kind && Object.entries(subject).every(([k, v]) => f.subject[k] === v));

describe('the aggregator accounts stored manual entries', () => {
  it('publishes the month with the fuel from deliveries and stock, flagged manual and naming its entries', async () => {
    const { store, run, month } = await harness();
    await writeManualEntries(store, diesel);
    await run();
    const figures = await month();
    const [fuel] = find(figures, FIGURE_KINDS.consumption, { [FIGURE_TAGS.point]: 'manual:diesel' });
    // 12 + 20 + 15 − 9.5 = 37.5 t; 37 500 kg × 1.4571 kgce/kg = 54.64125 tce
    expect(fuel).toMatchObject({ value: 37.5, unit: 't', flags: ['manual'], subject: { [FIGURE_TAGS.site]: 's1', [FIGURE_TAGS.carrier]: 'diesel', [FIGURE_TAGS.role]: 'boundary-input' } });
    expect(fuel!.detail[FIGURE_DETAIL_FIELDS.tce]).toBeCloseTo(54.64125, 9);
    expect(fuel!.detail[FIGURE_DETAIL_FIELDS.manualEntries]).toBe('me-1,me-2,me-3,me-4');
    // 12.29 tce of electricity (100 000 kWh × 0.1229 kgce/kWh) + 54.64125 = 66.93125 tce
    const [tce] = find(figures, FIGURE_KINDS.standardCoal, { [FIGURE_TAGS.level]: 'enterprise' });
    expect(tce!.value).toBeCloseTo(66.93125, 9);
    expect(tce!.flags).toContain('manual');
    // 37.5 t × 3.0959096 tCO2/t = 116.0966114 tCO2
    expect(find(figures, FIGURE_KINDS.carbon, { [FIGURE_TAGS.scope]: 'scope1' })[0]!.value).toBeCloseTo(116.0966114, 6);
    // The metered point's own figure rests on no manual entry.
    expect(find(figures, FIGURE_KINDS.consumption, { [FIGURE_TAGS.point]: 'main' })[0]!.detail[FIGURE_DETAIL_FIELDS.manualEntries]).toBeUndefined();
  });

  it('restates what a correction changes, with the reason and what it corrects', async () => {
    const { store, restated, run, month } = await harness();
    await writeManualEntries(store, diesel);
    await run();
    expect(restated).toEqual([]);
    await writeManualEntries(store, [correction]);
    await run();

    // 12 + 20 + 15 − 11.5 = 35.5 t; tce 12.29 + 35.5 × 1.4571 = 12.29 + 51.72705 = 64.01705; scope 1 35.5 × 3.0959096 = 109.9047921 tCO2.
    // Restated: the fuel's consumption, enterprise and site standard coal, scope 1 and the three carbon totals; scope 2 rests on no manual entry.
    const by = (kind: string, key: string, value: string) => restated.find((r) => r.measurement === kind && r.subject[key] === value)!;
    expect(restated).toHaveLength(7);
    expect(restated.every((r) => r.reason === 'MANUAL_ENTRIES_CHANGED')).toBe(true);
    const fuel = by(FIGURE_KINDS.consumption, FIGURE_TAGS.point, 'manual:diesel');
    expect([fuel.old.value, fuel.new.value, fuel.new.revision]).toEqual([37.5, 35.5, 1]);
    expect(fuel.detail).toBe('value 37.5 → 35.5 t; manual entries + me-5 (corrects me-4: dip misread: 9.5 t was tank 2) − me-4');
    const tce = by(FIGURE_KINDS.standardCoal, FIGURE_TAGS.level, 'enterprise');
    expect(tce.old.value).toBeCloseTo(66.93125, 9);
    expect(tce.new.value).toBeCloseTo(64.01705, 9);
    expect(by(FIGURE_KINDS.carbon, FIGURE_TAGS.scope, 'scope1').new.value).toBeCloseTo(109.9047921, 6);
    expect(restated.map((r) => r.subject[FIGURE_TAGS.scope]).filter(Boolean).sort()).toEqual(['scope1', 'total-location', 'total-location-net', 'total-market']);

    // Stored too: the restatements series, and the figure at its new revision.
    const rows = await store.readSeries({ measurement: RESTATEMENT_MEASUREMENT, tags: restatementTags('plant'), fromMs: 0, toMs: Date.UTC(2200, 0, 1) });
    const stored = rows.map(restatementOf).flatMap((r) => (r.ok ? [r.value] : []));
    expect(stored.find((r) => r.subject.includes('point=manual:diesel'))).toMatchObject({ reason: 'MANUAL_ENTRIES_CHANGED', revision: 1, old: { value: 37.5 }, new: { value: 35.5 } });
    const figure = find(await month(), FIGURE_KINDS.consumption, { [FIGURE_TAGS.point]: 'manual:diesel' })[0]!;
    expect([figure.value, figure.revision, figure.detail[FIGURE_DETAIL_FIELDS.manualEntries]]).toEqual([35.5, 1, 'me-1,me-2,me-3,me-5']);

    // Run again: nothing new, nothing restated.
    await run();
    expect(restated).toHaveLength(7);
  });

  it('an entry that moves no figure still updates the entries they rest on, so a later change by readings is not blamed on it', async () => {
    const { store, restated, run, month } = await harness();
    await writeManualEntries(store, diesel);
    await run();
    // Value added changes no figure the diesel's entries made (it adds intensities of its own).
    await writeManualEntries(store, [entry('me-6', { kind: 'value-added', period: '2025-03', value: 500, unit: '10^4 CNY', errorPercent: 0.5 })]);
    await run();
    expect(restated).toEqual([]);
    // Stored again at its revision, naming the entries its accounting now rests on.
    const [tce] = find(await month(), FIGURE_KINDS.standardCoal, { [FIGURE_TAGS.level]: 'enterprise' });
    expect([tce!.revision, tce!.detail[FIGURE_DETAIL_FIELDS.manualEntries]]).toEqual([0, 'me-1,me-2,me-3,me-4,me-6']);

    // A reading arrives late inside March: the energy is the same register difference, the readings received are 3, not 2.
    await store.write([{ measurement: READINGS_MEASUREMENT, tags: readingTags('plant', 'main'), fields: { [READING_FIELDS.value]: 50_000 }, timestampMs: march.start + 15 * 86_400_000 }]);
    await run();
    const coal = restated.find((r) => r.measurement === FIGURE_KINDS.standardCoal && r.subject[FIGURE_TAGS.level] === 'enterprise')!;
    expect(coal.reason).toBe('READINGS_CHANGED');
    expect(coal.detail).not.toContain('manual entries');
    expect(restated.filter((r) => r.reason !== 'READINGS_CHANGED')).toEqual([]);
  });
});
