import { expect, it } from 'vitest';
import {
  accountEnterprise, calendarPeriod, createFactorCatalog, monthScorecard, parseManifest, subPeriods,
  type ManualEntry, type RegisterReading,
} from '../../src/index.ts';

/**
 * Issue 15, item 2, from readings to the scorecard: February 2026 (28 days, Asia/Shanghai) of a
 * plant with a 15-minute main meter, a daily-read diesel tank and one product.
 */
const MANIFEST = `
version: 1
enterprises:
  - id: foundry
    name: Foundry
    region: CN-CQ
    gridRegion: southwest
    timeZone: Asia/Shanghai
    factorSet: { name: cn-2023, version: 1.0.0 }
    scope2Level: provincial
    sites:
      - id: s1
        name: Site 1
        meteringPoints:
          - { id: main, carrier: electricity, quantity: active-energy-import, unit: kWh, accuracyClass: 0.5, expectedInterval: PT15M,
              calibration: { certificate: c, validFrom: 2024-01-01, validUntil: 2029-12-31 }, topology: { role: boundary-input } }
          - { id: tank, carrier: diesel, quantity: mass, unit: t, accuracyClass: 0.5, expectedInterval: P1D,
              calibration: { certificate: c, validFrom: 2024-01-01, validUntil: 2029-12-31 }, topology: { role: boundary-input } }
    devices: []
    production:
      - { period: 2026-02, product: castings, value: 400, unit: t }
`;

const START = Date.parse('2026-02-01T00:00:00+08:00');
const QUARTER = 900_000;
const DAY = 86_400_000;

/** 10 kWh a quarter-hour from 1 Feb 00:00 to 1 Mar 00:00 (2 689 readings), less the silent ones. */
function mainReadings(silentQuarters: (i: number) => boolean): RegisterReading[] {
  const out: RegisterReading[] = [];
  for (let i = 0; i <= 28 * 96; i++) if (!silentQuarters(i)) out.push({ at: START + i * QUARTER, value: 10 * i });
  return out;
}
/** The tank read at 00:00 every day, 0.1 t a day. */
const tankReadings = (): RegisterReading[] => Array.from({ length: 29 }, (_, d) => ({ at: START + d * DAY, value: 0.1 * d }));

const money = (kind: 'output-value' | 'value-added', value: number): ManualEntry => ({
  id: kind, enterpriseId: 'foundry', kind, period: '2026-02', value, unit: '10^4 CNY', document: 'statistics form, February', enteredBy: 'accountant', enteredAt: '2026-03-05T10:00:00+08:00',
});

function scorecard(silentQuarters: (i: number) => boolean, manualEntries: ManualEntry[]) {
  const parsed = parseManifest(MANIFEST, 'foundry.yaml');
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
  const enterprise = parsed.manifest.enterprises[0]!;
  const set = createFactorCatalog().resolveFor(enterprise);
  if (!set.ok) throw set.error;
  const readings = new Map([['main', mainReadings(silentQuarters)], ['tank', tankReadings()]]);
  const options = { manualEntries };
  const month = accountEnterprise(enterprise, readings, '2026-02', set.factor, options);
  const days = subPeriods(calendarPeriod('2026-02', enterprise.timeZone), 'day').map((d) => accountEnterprise(enterprise, readings, d, set.factor, options));
  return monthScorecard(enterprise, month, days);
}

const result = (card: ReturnType<typeof scorecard>) => Object.fromEntries(card.outcomes.map((o) => [o.rule, o.passed]));

it('passes every rule with 36 silent hours of the main meter and the month’s output value and value added', () => {
  // Silent from 10 Feb 00:15 to 11 Feb 12:00 (36 h = 144 quarter-hours): 2 688 - 144 = 2 544 of 2 688 due, 94.6 %.
  const silent = (i: number) => i > 9 * 96 && i <= 9 * 96 + 144;
  const card = scorecard(silent, [money('output-value', 1200), money('value-added', 300)]);
  expect(result(card)).toEqual({ completeness: true, 'daily-monthly-consistency': true, 'daily-period-start': true, 'monthly-period-start': true, 'required-indicators': true });
  expect(card.passed).toBe(true);
});

it('fails completeness when the main meter is silent for 4 days, and required indicators without value added', () => {
  // Silent from 10 Feb 00:15 for 4 days (384 quarter-hours): 2 688 - 384 = 2 304 of 2 688 due = 85.7 % < 90 %.
  const silent = (i: number) => i > 9 * 96 && i <= 9 * 96 + 384;
  const card = scorecard(silent, [money('output-value', 1200)]);
  const outcome = (rule: string) => card.outcomes.find((o) => o.rule === rule)!;
  expect(outcome('completeness').findings).toEqual(['main: 85.7 % of the readings due']);
  expect(outcome('required-indicators').findings).toEqual(['value-added 2026-02 is missing']);
  // Everything the days publish adds up to the month (interpolation keeps energy), and every period starts where it should.
  expect(result(card)).toMatchObject({ 'daily-monthly-consistency': true, 'daily-period-start': true, 'monthly-period-start': true });
  expect(card.passed).toBe(false);
});
