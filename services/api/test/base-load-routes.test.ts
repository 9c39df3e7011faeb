import { describe, expect, it } from 'vitest';
import { FIGURE_KINDS } from '@meterline/contracts';
import { figurePoint } from '@meterline/series';
import type { BaseLoadAnswer } from '../src/routes/base-load-routes.ts';
import { bearer, SECRETS, testApi } from './fixtures.ts';

const HOUR_MS = 3_600_000;
/** Monday 2026-03-02T00:00:00+08:00: three weeks of a-e-main's hours from here. */
const MONDAY = Date.UTC(2026, 2, 1, 16);
/** The night hours 0–4 read 1.8, 1.9, 2.0, 2.1, 2.2 kWh: mean 2.0; the third week's night is 2 kWh higher. */
const NIGHT = [1.8, 1.9, 2.0, 2.1, 2.2];

async function seeded() {
  const api = await testApi();
  const points = [];
  for (let h = 0; h < 21 * 24; h++) {
    const start = MONDAY + h * HOUR_MS;
    const day = Math.floor(h / 24);
    const hour = h % 24;
    const weekend = day % 7 >= 5;
    const value = hour < 5 ? NIGHT[hour]! + (day >= 14 ? 2 : 0) : weekend ? 3 : 10;
    points.push(
      figurePoint({
        measurement: FIGURE_KINDS.consumption,
        enterpriseId: 'ent-a',
        subject: { site: 'a-site', point: 'a-e-main', carrier: 'electricity', quantity: 'active-energy-import', role: 'boundary-input' },
        periodKind: 'hour',
        periodKey: new Date(start).toISOString(),
        startMs: start,
        endMs: start + HOUR_MS,
        value,
        unit: 'kWh',
        expandedUncertainty: value * 0.01,
        coveragePercent: 100,
        estimated: 0,
        flags: [],
        factorSet: 'cn-2023@1.0.0',
        registryVersion: 'r1',
        revision: 0,
        detail: {},
      }),
    );
  }
  await api.store.write(points);
  return (query: string, secret: string = SECRETS.enterpriseA, point = 'a-e-main') => api.app.inject({ url: `/v1/enterprises/ent-a/points/${point}/base-load?${query}`, headers: bearer(secret) });
}

describe('base load: the API', () => {
  it("gives each week's night and weekend level, and flags the week the night load rose", async () => {
    const get = await seeded();
    const response = await get('from=2026-03-02&to=2026-03-22');
    expect(response.statusCode, response.body).toBe(200);
    const answer = response.json<BaseLoadAnswer>();
    expect(answer.buckets.map((b) => b.key)).toEqual(['2026-03-02', '2026-03-09', '2026-03-16']);
    const [first, second, third] = answer.buckets;
    // 35 night hours a week, each night 1.8…2.2: mean 2.0, s² = 7 · 0.10 / 34, u = √(s²/35) = 0.024254.
    expect(first!.night!.value).toBeCloseTo(2.0, 12);
    expect(first!.night!.hours).toBe(35);
    expect(first!.night!.u).toBeCloseTo(Math.sqrt((7 * 0.1) / 34 / 35), 9);
    // A weekend's 48 hours: 10 night hours (mean 2.0) and 38 of 3 kWh: (20 + 114) / 48.
    expect(first!.nonWorkingDay!.value).toBeCloseTo(134 / 48, 12);
    expect([second!.nightRising, second!.nonWorkingDayRising]).toEqual([false, false]);
    // The third week's night is 4.0 ± 0.024, against 2.0 ± 0.024; its weekend (154 / 48) rose with it.
    expect(third!.night!.value).toBeCloseTo(4.0, 12);
    expect([third!.nightRising, third!.nonWorkingDayRising]).toEqual([true, true]);
  });

  it('refuses a point it does not have (404), a bad or long range (400) and another enterprise’s key (403)', async () => {
    const get = await seeded();
    expect((await get('from=2026-03-02&to=2026-03-22', SECRETS.enterpriseA, 'nope')).statusCode).toBe(404);
    expect((await get('from=2026-03-22&to=2026-03-02')).statusCode).toBe(400);
    expect((await get('from=2026-02-30&to=2026-03-02')).statusCode).toBe(400);
    expect((await get('from=2025-01-01&to=2026-03-02')).statusCode).toBe(400);
    expect((await get('from=2026-03-02&to=2026-03-22', SECRETS.enterpriseB)).statusCode).toBe(403);
  });
});
