import { describe, expect, it } from 'vitest';
import { InMemoryBus } from '@meterline/bus';
import { FIGURE_KINDS, figureBatchCodec, restatementCodec, type FigureV1, type RestatementV1 } from '@meterline/contracts';
import { figureOf, RESTATEMENT_MEASUREMENT, restatementOf } from '@meterline/series';
import { createLogger, createMetricsRegistry } from '@meterline/service-kit';
import { InMemoryStore, StoreError, type SeriesPoint } from '@meterline/store';
import { createFigureCopier } from '../src/figure-copier.ts';

const TOPICS = { figures: 'figures', restatements: 'restatements' };
const DAY = 86_400_000;
/** 2026-03-01T00:00:00+08:00 */
const MARCH_1 = Date.UTC(2026, 1, 28, 16);
const published = { value: 10, expandedUncertainty: 1, coveragePercent: 100, flags: [], factorSet: 'cn-2023@1.0.0', registryVersion: 'r1' };

const figure = (day: number, value: number): FigureV1 => ({
  measurement: FIGURE_KINDS.carbon,
  enterpriseId: 'ent-1',
  subject: { region: 'CN-CQ', scope: 'scope1' },
  periodKind: 'day',
  periodKey: `2026-03-0${day + 1}`,
  startMs: MARCH_1 + day * DAY,
  endMs: MARCH_1 + (day + 1) * DAY,
  ...published,
  value,
  unit: 'tCO2',
  estimated: 0,
  revision: value === 10 ? 0 : 1,
  detail: {},
});

const restatement: RestatementV1 = {
  v: 1,
  restatementId: 'rs-1',
  enterpriseId: 'ent-1',
  measurement: FIGURE_KINDS.carbon,
  subject: { region: 'CN-CQ', scope: 'scope1' },
  periodKind: 'day',
  periodKey: '2026-03-01',
  startMs: MARCH_1,
  unit: 'tCO2',
  old: { ...published, revision: 0 },
  new: { ...published, value: 11, revision: 1 },
  reason: 'READINGS_CHANGED',
  detail: 'value 10 → 11 tCO2',
  restatedAt: '2026-03-05T01:00:00.000Z',
};

function setup(store = new InMemoryStore()) {
  const bus = new InMemoryBus();
  const copier = createFigureCopier({
    consumer: bus.consumer({ groupId: 'replica-figures', topics: [TOPICS.figures, TOPICS.restatements], fromBeginning: true }),
    topics: TOPICS,
    store,
    retry: { baseMs: 5, maxMs: 20 },
    log: createLogger('writer-test', 'silent'),
    metrics: createMetricsRegistry('writer-test'),
  });
  const lagOf = bus.consumer({ groupId: 'replica-figures', topics: [TOPICS.figures, TOPICS.restatements] });
  const copied = async () => {
    while ((await lagOf.lag()) > 0) await new Promise((r) => setTimeout(r, 5));
  };
  const announce = async (figures: FigureV1[], restatements: RestatementV1[] = []) => {
    const producer = bus.producer();
    if (restatements.length > 0) await producer.send(TOPICS.restatements, restatements.map((r) => restatementCodec.encode(r, r.enterpriseId)));
    await producer.send(TOPICS.figures, [figureBatchCodec.encode({ v: 1, enterpriseId: 'ent-1', computedAt: '2026-03-05T01:00:00.000Z', figures }, 'ent-1')]);
  };
  const storedFigures = async () =>
    (await store.readSeries({ measurement: FIGURE_KINDS.carbon, tags: {}, fromMs: 0, toMs: Number.MAX_SAFE_INTEGER })).map((p) => {
      const read = figureOf(p);
      if (!read.ok) throw new Error(read.reason);
      return read.value;
    });
  return { bus, copier, copied, announce, storedFigures, store };
}

describe('figure copier (a replica\'s writer, ADR 0010)', () => {
  it('stores the announced figures and restatements as the aggregator stores them on the primary', async () => {
    const { copier, copied, announce, storedFigures, store } = setup();
    await copier.start();
    await announce([figure(0, 10), figure(1, 10)]);
    await announce([figure(0, 11)], [restatement]);
    await copied();
    await copier.close();
    // The restated day holds its new value: a figure point is replaced by its later revision.
    expect((await storedFigures()).map((f) => [f.periodKey, f.value, f.revision])).toEqual([
      ['2026-03-01', 11, 1],
      ['2026-03-02', 10, 0],
    ]);
    const restatements = await store.readSeries({ measurement: RESTATEMENT_MEASUREMENT, tags: {}, fromMs: 0, toMs: Number.MAX_SAFE_INTEGER });
    expect(restatements.map((p) => restatementOf(p))).toEqual([{ ok: true, value: expect.objectContaining({ restatementId: 'rs-1', new: expect.objectContaining({ value: 11 }) as unknown }) as unknown }]);
  });

  it('holds the figures while the replica is down, unhealthy meanwhile, and copies them when it is back', async () => {
    const store = new InMemoryStore();
    const { copier, copied, announce, storedFigures } = setup(store);
    store.available = false;
    await copier.start();
    await announce([figure(0, 10)]);
    await expect.poll(() => copier.checks(Date.now()).figureWrites, { timeout: 5_000 }).toMatch(/^failing for \d+ s$/);
    store.available = true;
    await copied();
    expect(copier.checks(Date.now()).figureWrites).toBe('ok');
    await copier.close();
    expect((await storedFigures()).map((f) => f.value)).toEqual([10]);
  });

  it('skips an unreadable record and one the replica refuses for good, counted, and copies the rest', async () => {
    class RefusingStore extends InMemoryStore {
      override async write(points: SeriesPoint[]): Promise<void> {
        if (points.some((p) => p.fields['value'] === 666)) throw new StoreError('MTL_STORE_REJECTED', 'field type conflict');
        await super.write(points);
      }
    }
    const { bus, copier, copied, announce, storedFigures } = setup(new RefusingStore());
    await copier.start();
    await bus.producer().send(TOPICS.figures, [{ key: 'ent-1', value: Buffer.from('not json') }]);
    await announce([figure(0, 666)]);
    await announce([figure(1, 10)]);
    await copied();
    await copier.close();
    expect((await storedFigures()).map((f) => [f.periodKey, f.value])).toEqual([['2026-03-02', 10]]);
  });
});
