import { expect, it } from 'vitest';
import { fleetManifest } from '@meterline/simulator';
import type { DeviceReport } from '@meterline/series';
import { DEFAULT_RULES } from '../../src/alerting-config.ts';
import { meterOffline } from '../../src/rules/meter-offline.ts';

const enterprise = fleetManifest({ enterprises: 1, devicesPerEnterprise: 2, pointsPerDevice: 2, prefix: 'off' }).enterprises[0]!;
const MIN = 60_000;
const t0 = Date.parse('2026-11-27T08:00:00Z');
const settings = { ...DEFAULT_RULES.meterOffline, afterMinutes: 15 };

const judge = (last: Record<string, number>, devices: Record<string, DeviceReport> = {}, tickMs = t0 + 60 * MIN) =>
  new Map(
    meterOffline({ enterprise, lastReadingMs: new Map(Object.entries(last)), devices: new Map(Object.entries(devices)), watchingSinceMs: t0, tickMs, settings }).map((c) => [
      c.subject.point,
      c,
    ]),
  );

it('finds a point offline once its newest reading is older than the limit, from the moment it became overdue', () => {
  const tick = t0 + 60 * MIN;
  const found = judge({ 'off-e0-d0-p0': tick - 5 * MIN, 'off-e0-d0-p1': tick - 16 * MIN, 'off-e0-d1-p0': tick - 15 * MIN, 'off-e0-d1-p1': tick - 14 * MIN });
  expect([...found].filter(([, c]) => c.holds).map(([p]) => p).sort()).toEqual(['off-e0-d0-p1', 'off-e0-d1-p0']);
  expect(found.get('off-e0-d0-p1')).toMatchObject({ sinceMs: tick - 16 * MIN + 15 * MIN, value: 16, threshold: 15, subject: { site: 'off-e0-s0', point: 'off-e0-d0-p1' } });
});

it('gives a point never heard from the limit counted from when watching began', () => {
  expect(judge({}, {}, t0 + 14 * MIN).get('off-e0-d0-p0')!.holds).toBe(false);
  expect(judge({}, {}, t0 + 15 * MIN).get('off-e0-d0-p0')).toMatchObject({ holds: true, sinceMs: t0 + 15 * MIN });
});

it("takes a device's last will as offline for its points at once, until a reading newer than the will arrives", () => {
  const tick = t0 + 60 * MIN;
  const will = { 'off-e0-d1': { state: 'offline' as const, atMs: tick - 2 * MIN } };
  const fresh = { 'off-e0-d0-p0': tick - MIN, 'off-e0-d0-p1': tick - MIN, 'off-e0-d1-p0': tick - 3 * MIN, 'off-e0-d1-p1': tick - MIN };
  const found = judge(fresh, will, tick);
  expect(found.get('off-e0-d1-p0')).toMatchObject({ holds: true, sinceMs: tick - 2 * MIN });
  expect(found.get('off-e0-d1-p0')!.summary).toContain('last will');
  // p1 read after the will: the device is back for it.
  expect(found.get('off-e0-d1-p1')!.holds).toBe(false);
  expect(found.get('off-e0-d0-p0')!.holds).toBe(false);
  expect(judge(fresh, { 'off-e0-d1': { state: 'online', atMs: tick - 2 * MIN } }, tick).get('off-e0-d1-p0')!.holds).toBe(false);
});
