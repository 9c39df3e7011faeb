import { expect, it } from 'vitest';
import { InMemoryBus } from '@meterline/bus';
import type { FactorSetRecordV1 } from '@meterline/contracts';
import { publishFactorSet, startTopicFactorCatalog, type FactorSetRecordRejected } from '../src/factor-set-topic.ts';

const TOPIC = 'factor-sets';
const record = (version: string, value = 0.41): FactorSetRecordV1 => ({
  v: 1,
  set: {
    name: 'cq-ppa',
    version,
    description: 'cn-2023 with the contract grid factor',
    standardCoal: 'gbt-2589-2020',
    gridDataYear: 2023,
    fuels: 'gbt-32150-fuels',
    electricityEqualValue: 'electricity-equal-value-legacy',
    overrides: { gridFactors: [{ dataYear: 2023, level: 'provincial', region: 'CN-CQ', value, source: 'supply contract annex 3', confidence: 'M' }] },
  },
  createdAt: '2026-11-27T08:00:00Z',
  createdBy: 'admin',
});
const grid = (catalog: Awaited<ReturnType<typeof startTopicFactorCatalog>>, version: string) => {
  const set = catalog.catalog.resolve('cq-ppa', version);
  if (!set.ok) return set.error.message;
  const f = set.factor.gridFactor({ level: 'provincial', region: 'CN-CQ', gridRegion: 'southwest', date: '2026-03-01' });
  return f.ok ? f.factor.value : f.error.message;
};

it('adds custom sets to the shipped ones as they are read, keeps a published set as first published, and reports what it refuses', async () => {
  const bus = new InMemoryBus();
  const producer = bus.producer();
  await publishFactorSet(producer, TOPIC, record('1'));
  const rejected: FactorSetRecordRejected[] = [];
  const reader = await startTopicFactorCatalog({ consumer: bus.consumer({ groupId: 'a', topics: [TOPIC] }), onRejected: (r) => rejected.push(r), lagPollMs: 5 });
  await reader.ready();
  expect(grid(reader, '1')).toBe(0.41);
  expect(reader.catalog.list().map((s) => `${s.name}@${s.version}`)).toEqual(expect.arrayContaining(['cn-2023@1.0.0', 'cq-ppa@1']));

  // A later version while running; the same version with another value; a unit slip; not JSON.
  await publishFactorSet(producer, TOPIC, record('2', 0.39));
  await publishFactorSet(producer, TOPIC, record('1', 0.2));
  await publishFactorSet(producer, TOPIC, record('3', 410));
  await producer.send(TOPIC, [{ key: 'cq-ppa@4', value: Buffer.from('{') }]);
  for (let i = 0; i < 200 && rejected.length < 3; i++) await new Promise((r) => setTimeout(r, 5));
  expect(grid(reader, '2')).toBe(0.39);
  expect(grid(reader, '1')).toBe(0.41);
  expect(grid(reader, '3')).toContain('no factor set cq-ppa@3');
  expect(rejected.map((r) => [r.key, r.reason])).toEqual([
    ['cq-ppa@1', 'CHANGED'],
    ['cq-ppa@3', 'INVALID'],
    ['cq-ppa@4', 'UNREADABLE'],
  ]);
  expect(rejected[1]!.detail).toContain('/overrides/gridFactors/0/value');
  await reader.close();
});
