import { describe, expect, it } from 'vitest';
import { FIGURE_KINDS } from '@meterline/contracts';
import { calendarPeriod, type ManualEntry } from '@meterline/domain';
import { manualEntryPoint } from '@meterline/series';
import type { Problem } from '../src/problem.ts';
import type { BaselineAnswer } from '../src/routes/baseline-routes.ts';
import { bearer, SECRETS, storedFigure, testApi } from './fixtures.ts';

const URL = '/v1/enterprises/ent-a/baseline';
const POINT = { site: 'a-site', point: 'a-e-main', carrier: 'electricity', quantity: 'active-energy-import', role: 'boundary-input' };

/**
 * 2025 and the first half of 2026 on a-e-main, by a known law: 2 000 kWh + 1.2 kWh per unit of
 * `widgets` + 40 kWh per degree below 16 °C, ±30 kWh; from 2026 on 15 % less. Production and
 * temperature are manual entries, as an energy manager records them.
 */
async function seeded(options: { secondProduct?: boolean; temperatureMissingOn?: (i: number) => boolean } = {}) {
  const api = await testApi();
  let a = 9;
  const random = () => ((a = (a * 1_103_515_245 + 12_345) % 2_147_483_648), a / 2_147_483_648 - 0.5);
  const points = [];
  const entry = (id: string, over: Partial<ManualEntry>): ManualEntry => ({ id, enterpriseId: 'ent-a', kind: 'production', period: '', value: 0, unit: 't', document: 'daily log', enteredBy: 'a-energy-manager', enteredAt: '2026-07-01T09:00:00+08:00', ...over });
  // a-site's standard coal: the point's energy at GB/T 2589-2020's 0.1229 kgce/kWh, as the accounting converts it.
  const SITE = { region: 'CN-CQ', level: 'site', site: 'a-site', basis: 'equivalent' };
  for (let i = 0; i < 546; i++) {
    const day = calendarPeriod(new Date(Date.UTC(2025, 0, 1) + i * 86_400_000).toISOString().slice(0, 10), 'Asia/Shanghai');
    const temperature = Math.round((14 - 12 * Math.cos((2 * Math.PI * i) / 365) + 3 * random()) * 10) / 10;
    const widgets = Math.round(800 + 400 * random());
    const kwh = (i < 365 ? 1 : 0.85) * (2000 + 1.2 * widgets + 40 * Math.max(0, 16 - temperature)) + 60 * random();
    points.push(storedFigure('ent-a', FIGURE_KINDS.consumption, POINT, day.start, kwh));
    points.push(storedFigure('ent-a', FIGURE_KINDS.standardCoal, SITE, day.start, (kwh * 0.1229) / 1000));
    points.push(manualEntryPoint(entry(`me-w-${i}`, { period: day.key, product: 'widgets', value: widgets, unit: 'pcs' })));
    if (!options.temperatureMissingOn?.(i)) points.push(manualEntryPoint(entry(`me-t-${i}`, { kind: 'outdoor-temperature', period: day.key, value: temperature, unit: '°C', document: 'station 57516' })));
    if (options.secondProduct && i === 10) points.push(manualEntryPoint(entry('me-g-10', { period: day.key, product: 'gears', value: 5, unit: 'pcs' })));
  }
  await api.store.write(points);
  const get = (query: string, secret: string = SECRETS.enterpriseA, url = URL) => api.app.inject({ url: `${url}?${query}`, headers: bearer(secret) });
  return { ...api, get };
}

describe('energy baselines: the API', () => {
  it('fits a point’s days on its production and degree days, and gives the 15 % cut with its U, claimed', async () => {
    const { get } = await seeded();
    const response = await get('point=a-e-main&baseline=2025-01-01..2025-12-31&reporting=2026-01-01..2026-06-30');
    expect(response.statusCode, response.body).toBe(200);
    const answer = response.json<BaselineAnswer>();
    expect(answer.subject).toEqual({ kind: 'point', siteId: 'a-site', pointId: 'a-e-main', unit: 'kWh' });
    expect(answer.baseline).toMatchObject({ days: 365, excludedDays: [] });
    expect(answer.model.variables).toEqual(['hdd', 'production', 'workingDay']);
    expect(Math.abs(answer.model.balancePointsC!.heating! - 16)).toBeLessThanOrEqual(1);
    expect(answer.model.coefficients.find((c) => c.name === 'production')!.estimate).toBeCloseTo(1.2, 1);
    expect(answer.model.verdict).toMatchObject({ passed: true, failures: [] });
    const reporting = answer.reporting!;
    expect(reporting.days).toBe(181);
    expect(reporting.claim).toEqual({ allowed: true, reasons: [] });
    expect(Math.abs(reporting.savingsFraction - 0.15)).toBeLessThan(reporting.expandedUncertainty / reporting.adjustedBaseline);
    expect(reporting.modelEnpi).toBeCloseTo(0.85, 1);
    // In tce by GB/T 2589-2020's 0.1229 kgce/kWh, in tCO2 by Chongqing's provincial grid factor of
    // data year 2023, 0.5581 tCO2/MWh (MEE notice 2025 No. 47), as ent-a's set cn-2023 pins.
    const { tce, co2 } = reporting.converted;
    expect(tce!.savings).toBeCloseTo((reporting.savings * 0.1229) / 1000, 9);
    expect(co2).toMatchObject({ unit: 'tCO2', scope: 'scope2-location' });
    expect(co2!.savings).toBeCloseTo((reporting.savings / 1000) * 0.5581, 9);
    expect(co2!.expandedUncertainty).toBeGreaterThanOrEqual((reporting.expandedUncertainty / 1000) * 0.5581 - 1e-9);
    expect(answer.anomalies.changePoints[0]).toMatchObject({ direction: 'down', startDate: '2026-01-01' });
  });

  it("fits a site's standard coal the same way: the point's model scaled by the coefficient, in tce", async () => {
    const { get } = await seeded();
    const period = 'baseline=2025-01-01..2025-12-31&reporting=2026-01-01..2026-06-30';
    const site = (await get(`site=a-site&${period}`)).json<BaselineAnswer>();
    const point = (await get(`point=a-e-main&${period}`)).json<BaselineAnswer>();
    expect(site.subject).toEqual({ kind: 'site', siteId: 'a-site', unit: 'tce' });
    // Every site day is the point's day × 0.1229/1000: the same fit, scaled (R² unchanged, savings scaled).
    expect(site.model.rSquared).toBeCloseTo(point.model.rSquared!, 9);
    expect(site.reporting!.savings).toBeCloseTo((point.reporting!.savings * 0.1229) / 1000, 9);
    expect(site.reporting!.converted).toMatchObject({ tce: { unit: 'tce' }, co2: null });
    expect((await get(`site=a-site&point=a-e-main&${period}`)).statusCode).toBe(400);
    expect((await get(`site=nowhere&${period}`)).statusCode).toBe(404);
  });

  it('asks for the product when several are entered', async () => {
    const { get } = await seeded({ secondProduct: true });
    const ambiguous = await get('point=a-e-main&baseline=2025-01-01..2025-12-31');
    expect(ambiguous.statusCode).toBe(400);
    expect(ambiguous.json<Problem>().detail).toContain('the days have production of gears, widgets: name the one the energy depends on');
    expect((await get('point=a-e-main&baseline=2025-01-01..2025-12-31&product=widgets')).statusCode).toBe(200);
  });

  it('leaves out the days the station has no temperature for, and names them', async () => {
    const { get } = await seeded({ temperatureMissingOn: (i) => i % 100 === 7 });
    const answer = (await get('point=a-e-main&baseline=2025-01-01..2025-12-31')).json<BaselineAnswer>();
    expect(answer.baseline.excludedDays).toEqual(['2025-01-08', '2025-04-18', '2025-07-27', '2025-11-04'].map((date) => ({ date, missing: ['temperatureC'] })));
    expect(answer.baseline.days).toBe(361);
  });

  it('refuses what it cannot answer: bad periods (400), an unknown point (404), a day-less baseline (422), another enterprise’s key (403)', async () => {
    const { get } = await seeded();
    expect((await get('baseline=2025-12-31..2025-01-01')).statusCode).toBe(400);
    expect((await get('baseline=2025-02-30..2025-03-31')).statusCode).toBe(400);
    expect((await get('baseline=2025-01-01..2025-12-31&reporting=2025-06-01..2025-12-31')).json<Problem>().detail).toContain("not after the baseline period's end");
    expect((await get('baseline=2020-01-01..2025-12-31')).json<Problem>().detail).toContain('more than 1098 days');
    expect((await get('point=nope&baseline=2025-01-01..2025-12-31')).statusCode).toBe(404);
    const empty = await get('baseline=2024-01-01..2024-12-31');
    expect(empty.statusCode).toBe(422);
    expect(empty.json<Problem>().detail).toContain('no day of the baseline period 2024-01-01 to 2024-12-31 has data');
    expect((await get('baseline=2025-01-01..2025-12-31', SECRETS.enterpriseB)).statusCode).toBe(403);
  });
});
