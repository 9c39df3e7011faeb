import { describe, expect, it } from 'vitest';
import { FIGURE_KINDS, type FigureV1 } from '@meterline/contracts';
import { figurePoint, FIGURE_DETAIL_FIELDS as D } from '@meterline/series';
import type { FindingsAnswer } from '../src/routes/findings-routes.ts';
import { bearer, SECRETS, testApi } from './fixtures.ts';

/** 2026-03-01T00:00:00+08:00 to 2026-04-01T00:00:00+08:00: ent-a's March. */
const MARCH = { start: Date.UTC(2026, 1, 28, 16), end: Date.UTC(2026, 2, 31, 16) };

/** One detector's judgement of a point's month, as the aggregator stores it (fabrication_finding). */
function judgement(point: string, detector: string, found: { summary: string; evidence: Record<string, unknown> } | undefined, month = '2026-03', period = MARCH): FigureV1 {
  return {
    measurement: FIGURE_KINDS.fabricationFinding,
    enterpriseId: 'ent-a',
    subject: { point, detector },
    periodKind: 'month',
    periodKey: month,
    startMs: period.start,
    endMs: period.end,
    value: found ? 1 : 0,
    unit: 'finding',
    expandedUncertainty: 0,
    coveragePercent: 100,
    estimated: 0,
    flags: [],
    factorSet: 'cn-2023@1.0.0',
    registryVersion: 'r1',
    revision: 0,
    detail: { [D.findingSummary]: found?.summary ?? '', [D.evidence]: found ? JSON.stringify(found.evidence) : '', [D.verdict]: found ? 'found' : 'clean' },
  };
}

const TOO_REGULAR = { summary: 'a-e-main: 3 days of March step too evenly to be measured', evidence: { days: ['2026-03-10', '2026-03-11', '2026-03-12'], daySpread: 0 } };

async function stored(figures: FigureV1[]) {
  const api = await testApi();
  await api.store.write(figures.map(figurePoint));
  return (secret: string = SECRETS.enterpriseA, url = '/v1/enterprises/ent-a/findings?month=2026-03') => api.app.inject({ url, headers: bearer(secret) });
}

describe('fabrication findings: the API reads the month the aggregator judged', () => {
  it('gives the findings with their evidence and every point judged, clean ones included', async () => {
    const get = await stored([
      judgement('a-e-main', 'too-regular', TOO_REGULAR),
      judgement('a-e-main', 'flat-register', undefined),
      judgement('a-e-sub', 'too-regular', undefined),
      judgement('a-e-sub', 'flat-register', { summary: 'a-e-sub: the register stood still for 4 days while its parent moved', evidence: { days: 4 } }),
    ]);
    const response = await get();
    expect(response.statusCode, response.body).toBe(200);
    const answer = response.json<FindingsAnswer>();
    expect(answer).toMatchObject({ enterpriseId: 'ent-a', month: '2026-03', judged: true, historyDays: 28 });
    expect(answer.pointsJudged.map((p) => p.pointId)).toEqual(['a-e-main', 'a-e-sub']);
    expect(answer.findings).toEqual([
      { detector: 'too-regular', pointId: 'a-e-main', month: '2026-03', summary: TOO_REGULAR.summary, evidence: TOO_REGULAR.evidence },
      { detector: 'flat-register', pointId: 'a-e-sub', month: '2026-03', summary: 'a-e-sub: the register stood still for 4 days while its parent moved', evidence: { days: 4 } },
    ]);
  });

  it('says a month not yet judged is not judged, rather than clean', async () => {
    const get = await stored([judgement('a-e-main', 'too-regular', TOO_REGULAR)]);
    const answer = (await get(SECRETS.enterpriseA, '/v1/enterprises/ent-a/findings?month=2026-04')).json<FindingsAnswer>();
    expect(answer).toMatchObject({ month: '2026-04', judged: false, pointsJudged: [], findings: [] });
  });

  it('keeps other enterprises out and checks the month', async () => {
    const get = await stored([judgement('a-e-main', 'too-regular', TOO_REGULAR)]);
    expect((await get(SECRETS.enterpriseB)).statusCode).toBe(403);
    expect((await get(SECRETS.enterpriseA, '/v1/enterprises/ent-a/findings?month=2026-13')).statusCode).toBe(400);
  });
});
