import { expect, it } from 'vitest';
import type { StoredSequenceEvent } from '@meterline/series';
import { fleetManifest } from '@meterline/simulator';
import { DEFAULT_RULES } from '../../src/alerting-config.ts';
import { deviceSequence } from '../../src/rules/device-sequence.ts';

const enterprise = fleetManifest({ enterprises: 1, devicesPerEnterprise: 2, pointsPerDevice: 1, prefix: 'rs' }).enterprises[0]!;
const [d0, d1] = ['rs-e0-d0', 'rs-e0-d1'];
const MIN = 60_000;
const TICK = Date.parse('2026-11-30T08:00:00Z');
const settings = { ...DEFAULT_RULES.deviceSequence, windowMinutes: 60, gapGraceSeconds: 300 };

const event = (deviceId: string, kind: StoredSequenceEvent['kind'], minutesBefore: number, extra: Partial<StoredSequenceEvent> = {}): StoredSequenceEvent => ({
  enterpriseId: enterprise.id,
  deviceId,
  kind,
  atMs: TICK - minutesBefore * MIN,
  seq: 1,
  sha256: 'a'.repeat(64),
  ...extra,
});
const judge = (events: StoredSequenceEvent[]) => deviceSequence({ enterprise, events, tickMs: TICK, settings });
const of = (device: string, events: StoredSequenceEvent[]) => judge(events).find((c) => c.subject['device'] === device)!;

it('reports every device of the enterprise; one without events does not hold', () => {
  const conditions = judge([]);
  expect(conditions.map((c) => [c.rule, c.subject, c.holds])).toEqual([
    ['device-sequence', { device: d0 }, false],
    ['device-sequence', { device: d1 }, false],
  ]);
  expect(conditions[0]!.summary).toBe(`device ${d0}: no gap, replay or reset in the last 60 min`);
});

it('a replay or a reset within the window holds at once, from its instant', () => {
  const found = of(d0, [event(d0, 'replay', 20), event(d0, 'reset', 10), event(d0, 'reset', 2)]);
  expect(found).toMatchObject({ holds: true, sinceMs: TICK - 20 * MIN, asOfMs: TICK, value: 3, threshold: 0, unit: 'events' });
  expect(found.summary).toBe(`device ${d0}: 1 replay, 2 resets in the last 60 min`);
  // Only the device it happened to.
  expect(of(d1, [event(d0, 'replay', 20)]).holds).toBe(false);
});

it('a gap holds once its seqs are still missing after the grace', () => {
  // Found 2 min ago: within the 5-min grace, the missing seqs may still arrive.
  expect(of(d0, [event(d0, 'gap', 2, { lost: 3 })]).holds).toBe(false);
  const late = of(d0, [event(d0, 'gap', 6, { lost: 3 })]);
  expect(late).toMatchObject({ holds: true, sinceMs: TICK - 6 * MIN, value: 1 });
  expect(late.summary).toBe(`device ${d0}: 3 missing (1 gap) in the last 60 min`);
});

it('late arrivals fill their own gap: a gap filled whole does not hold, one filled in part counts what is still missing', () => {
  const gapA = event(d0, 'gap', 30, { lost: 2 });
  const gapB = event(d0, 'gap', 20, { lost: 3 });
  const fillA = [event(d0, 'late', 29, { gapAtMs: gapA.atMs }), event(d0, 'late', 28, { gapAtMs: gapA.atMs })];
  expect(of(d0, [gapA, ...fillA]).holds).toBe(false);
  const partly = of(d0, [gapA, gapB, ...fillA, event(d0, 'late', 19, { gapAtMs: gapB.atMs })]);
  expect(partly).toMatchObject({ holds: true, sinceMs: gapB.atMs, value: 1 });
  expect(partly.summary).toBe(`device ${d0}: 2 missing (1 gap) in the last 60 min`);
});

it('events older than the window no longer hold the alert', () => {
  expect(of(d0, [event(d0, 'replay', 61), event(d0, 'gap', 90, { lost: 5 })]).holds).toBe(false);
  expect(of(d0, [event(d0, 'replay', 59)]).holds).toBe(true);
});
