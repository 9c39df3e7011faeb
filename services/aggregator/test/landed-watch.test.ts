import { expect, it } from 'vitest';
import { fleetManifest } from '@meterline/simulator';
import { landedWatch } from '../src/landed-watch.ts';

const HOUR = 3_600_000;
const [a, b] = fleetManifest({ enterprises: 2, devicesPerEnterprise: 1, pointsPerDevice: 2, prefix: 'watch' }).enterprises;
const now = Date.UTC(2026, 2, 10, 12, 0, 0);
const REACH = 1.5 * 900_000;

it('makes one job per enterprise for readings that landed late since the last look, and none for on-time ones', () => {
  const watch = landedWatch({ since: 100, onTimeMs: 15 * 60_000 });
  const marks = [
    { enterpriseId: a!.id, hourMs: now - 30 * HOUR, landed: 200 },
    { enterpriseId: a!.id, hourMs: now - 5 * HOUR, landed: 200 },
    // The current hour: on time, the `recent` schedule computes it.
    { enterpriseId: b!.id, hourMs: now - HOUR / 2 - (now % HOUR), landed: 200 },
    // Seen before the watch started.
    { enterpriseId: b!.id, hourMs: now - 40 * HOUR, landed: 50 },
  ];
  const jobs = watch.jobs([a!, b!], marks, new Date(now));
  expect(jobs).toEqual([
    {
      v: 1,
      jobId: `landed:${a!.id}:${now - 30 * HOUR - REACH}:200`,
      enterpriseId: a!.id,
      kinds: ['quarter-hour', 'hour', 'day', 'month'],
      fromMs: now - 30 * HOUR - REACH,
      toMs: now,
      origin: 'schedule',
      requestedAt: new Date(now).toISOString(),
    },
  ]);
  // Looked at again with nothing new: nothing; a new landing of an old hour: a job from that hour.
  expect(watch.jobs([a!, b!], marks, new Date(now + 5_000))).toEqual([]);
  const again = watch.jobs([a!, b!], [...marks, { enterpriseId: b!.id, hourMs: now - 3 * HOUR, landed: 300 }], new Date(now + 10_000));
  expect(again.map((j) => [j.enterpriseId, j.fromMs])).toEqual([[b!.id, now - 3 * HOUR - REACH]]);
});
