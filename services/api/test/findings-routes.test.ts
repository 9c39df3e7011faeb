import { describe, expect, it } from 'vitest';
import { FIGURE_KINDS } from '@meterline/contracts';
import { figurePoint } from '@meterline/series';
import type { FindingsAnswer } from '../src/routes/findings-routes.ts';
import { bearer, SECRETS, testApi } from './fixtures.ts';

const QUARTER_MS = 900_000;
/** 2026-02-01T00:00:00+08:00: the 28 history days before March, then March. */
const FEB_1 = Date.UTC(2026, 0, 31, 16);
const DAYS = 28 + 31;

/**
 * a-e-main's quarter-hours over February and March: a working load that varies (a daily shape
 * and noise); with `flatOn`, those March days' quarter-hours are all one value, the way a
 * hand-made series looks, not a measured one.
 */
async function seeded(flatOn: readonly number[] = []) {
  const api = await testApi();
  let a = 17;
  const random = () => ((a = (a * 1_103_515_245 + 12_345) % 2_147_483_648), a / 2_147_483_648);
  const points = [];
  for (let q = 0; q < DAYS * 96; q++) {
    const start = FEB_1 + q * QUARTER_MS;
    const day = Math.floor(q / 96);
    const hour = (q % 96) / 4;
    const flat = flatOn.includes(day - 28 + 1);
    const value = flat ? 25 : 20 + 10 * Math.sin((Math.PI * hour) / 24) + 4 * random();
    points.push(
      figurePoint({
        measurement: FIGURE_KINDS.consumption,
        enterpriseId: 'ent-a',
        subject: { site: 'a-site', point: 'a-e-main', carrier: 'electricity', quantity: 'active-energy-import', role: 'boundary-input' },
        periodKind: 'quarter-hour',
        periodKey: new Date(start).toISOString(),
        startMs: start,
        endMs: start + QUARTER_MS,
        value,
        unit: 'kWh',
        expandedUncertainty: value * 0.005,
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
  return (secret: string = SECRETS.enterpriseA, url = '/v1/enterprises/ent-a/findings?month=2026-03') => api.app.inject({ url, headers: bearer(secret) });
}

describe('fabrication findings: the API', () => {
  it('finds the March days whose quarter-hours are too regular to be measured, with the evidence', async () => {
    const get = await seeded([10, 11, 12]);
    const response = await get();
    expect(response.statusCode, response.body).toBe(200);
    const answer = response.json<FindingsAnswer>();
    expect(answer).toMatchObject({ enterpriseId: 'ent-a', month: '2026-03', pointsJudged: [{ pointId: 'a-e-main' }], historyDays: 28 });
    const regular = answer.findings.filter((f) => f.detector === 'too-regular');
    expect(regular).toHaveLength(1);
    expect(regular[0]).toMatchObject({ pointId: 'a-e-main', month: '2026-03' });
    // Every step of a flat day is 0: its spread is 0 against the history's.
    expect(regular[0]!.evidence).toMatchObject({ days: ['2026-03-10', '2026-03-11', '2026-03-12'], daySpread: 0 });
  });

  it('finds nothing too regular in a measured month, keeps other enterprises out and checks the month', async () => {
    const get = await seeded();
    const answer = (await get()).json<FindingsAnswer>();
    expect(answer.findings.filter((f) => f.detector === 'too-regular')).toEqual([]);
    expect((await get(SECRETS.enterpriseB)).statusCode).toBe(403);
    expect((await get(SECRETS.enterpriseA, '/v1/enterprises/ent-a/findings?month=2026-13')).statusCode).toBe(400);
  });
});
