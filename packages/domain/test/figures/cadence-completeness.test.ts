import { describe, expect, it } from 'vitest';
import { accountEnterprise, calendarPeriod, createFactorCatalog, parseManifest, subPeriods, type RegisterReading } from '../../src/index.ts';

/**
 * Issue 15's worked examples, March 2025 in Asia/Shanghai (31 days, no DST):
 * - `tank`, diesel read once a day at 08:00 (expectedInterval P1D), nothing missing;
 * - `main`, a 15-minute electricity meter (the default cadence) whose register wraps once;
 * - `press`, its 15-minute sub-meter, silent for 36 hours inside the month;
 * - `paint`, its other 15-minute sub-meter, calibrated only until 15 March.
 */
const MANIFEST = `
version: 1
enterprises:
  - id: works
    name: Works
    region: CN-CQ
    gridRegion: southwest
    timeZone: Asia/Shanghai
    factorSet: { name: cn-2023, version: 1.0.0 }
    scope2Level: provincial
    sites:
      - id: s
        name: S
        meteringPoints:
          - { id: tank, carrier: diesel, quantity: mass, unit: t, accuracyClass: 0.5, expectedInterval: P1D,
              calibration: { certificate: c, validFrom: 2024-01-01, validUntil: 2029-12-31 }, topology: { role: boundary-input } }
          - { id: main, carrier: electricity, quantity: active-energy-import, unit: kWh, registerMax: 100000, accuracyClass: 0.5,
              calibration: { certificate: c, validFrom: 2024-01-01, validUntil: 2029-12-31 }, topology: { role: boundary-input } }
          - { id: press, carrier: electricity, quantity: active-energy-import, unit: kWh, accuracyClass: 1,
              calibration: { certificate: c, validFrom: 2024-01-01, validUntil: 2029-12-31 }, topology: { role: sub-meter, parent: main } }
          - { id: paint, carrier: electricity, quantity: active-energy-import, unit: kWh, accuracyClass: 1,
              calibration: { certificate: c, validFrom: 2024-01-01, validUntil: 2025-03-15 }, topology: { role: sub-meter, parent: main } }
    devices: []
`;

const TZ = 'Asia/Shanghai';
const Q = 900_000;
const H = 3_600_000;
const DAY = 24 * H;
const at = (local: string) => Date.parse(`${local}+08:00`);

function setup() {
  const parsed = parseManifest(MANIFEST, 'works.yaml');
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
  const fs = createFactorCatalog().resolve('cn-2023', '1.0.0');
  if (!fs.ok) throw fs.error;
  return { enterprise: parsed.manifest.enterprises[0]!, factorSet: fs.factor };
}

/**
 * The tank's register (t dispensed), read at 08:00 from 28 February to 1 April: 0.12 t in the
 * day to 1 March 08:00, 0.08 t in each of the 30 days to 31 March 08:00, 0.09 t in the last.
 * Kept in kg so the register values are exact.
 */
function tankReadings(skip: ReadonlySet<string> = new Set()): RegisterReading[] {
  const kg = [10_000, 10_120];
  for (let d = 0; d < 30; d++) kg.push(kg[kg.length - 1]! + 80);
  kg.push(kg[kg.length - 1]! + 90);
  const first = at('2025-02-28T08:00:00');
  return kg
    .map((v, d) => ({ at: first + d * DAY, value: v / 1000 }))
    .filter((r) => !skip.has(new Date(r.at + 8 * H).toISOString().slice(0, 10)));
}

/** Quarter-hourly readings from 28 February 23:45 to 1 April 00:15 (quarter q = 0 at the first), `perQuarter` kWh each. */
function quarterly(perQuarter: number, start = 0, registerMax = Infinity, silent?: { from: number; to: number }): RegisterReading[] {
  const first = at('2025-02-28T23:45:00');
  const out: RegisterReading[] = [];
  for (let q = 0; first + q * Q <= at('2025-04-01T00:15:00'); q++) {
    const t = first + q * Q;
    if (silent && t >= silent.from && t < silent.to) continue;
    out.push({ at: t, value: (start + perQuarter * q) % registerMax });
  }
  return out;
}

// press is silent from 10 March 12:00 to 12 March 00:00: the 36 h × 4 = 144 readings 12:00, 12:15, …, 11 March 23:45 never arrive.
const SILENCE = { from: at('2025-03-10T12:00:00'), to: at('2025-03-12T00:00:00') };

function readings(tank = tankReadings()) {
  return new Map<string, RegisterReading[]>([
    ['tank', tank],
    // 30 kWh a quarter from 80 000: the register passes 100 000 between q = 666 (99 980) and q = 667 (10), on 7 March at 22:30.
    ['main', quarterly(30, 80_000, 100_000)],
    ['press', quarterly(10, 0, Infinity, SILENCE)],
    ['paint', quarterly(15)],
  ]);
}

describe('a daily-read diesel tank with nothing missing (issue 15)', () => {
  const { enterprise, factorSet } = setup();
  const month = accountEnterprise(enterprise, readings(), '2025-03', factorSet);
  const tank = month.points.find((p) => p.id === 'tank')!;

  it('is complete and measured over the month: 100 % completeness, 100 % coverage, nothing estimated, no gap', () => {
    // 1 March 00:00-08:00 is 8 of the 24 hours of the 0.12 t day: 0.04 t; 30 whole days × 0.08 t = 2.4 t;
    // 31 March 08:00 to 1 April 00:00 is 16 of the 24 hours of the 0.09 t day: 0.06 t. Total 2.5 t.
    expect(tank.consumption.value).toBeCloseTo(2.5, 12);
    // The two boundary days are 24 h long, within 1.5 × P1D: interpolated as measured.
    expect(tank.consumption.quality.estimated).toBe(0);
    expect(tank.consumption.coveragePercent).toBe(100);
    // Readings at 08:00 on each of the 31 days of March; 31 local days expect 31.
    expect(tank.consumption.quality).toMatchObject({ readingsReceived: 31, readingsExpected: 31 });
    expect(tank.consumption.completenessPercent).toBe(100);
    expect(tank.consumption.quality.flags).toEqual([]);
  });

  it('is complete and measured on every day of the month, and the days add up to the month', () => {
    const days = subPeriods(calendarPeriod('2025-03', TZ), 'day').map((d) => accountEnterprise(enterprise, readings(), d, factorSet).points.find((p) => p.id === 'tank')!.consumption);
    expect(days).toHaveLength(31);
    for (const d of days) {
      expect(d).toMatchObject({ coveragePercent: 100, completenessPercent: 100, quality: { estimated: 0, flags: [], readingsReceived: 1, readingsExpected: 1 } });
    }
    // 1 March: 8 h of the 0.12 t day (0.04 t) and 16 h of the first 0.08 t day (0.053333 t) = 0.093333 t.
    expect(days[0]!.value).toBeCloseTo(0.04 + (0.08 * 16) / 24, 12);
    // 2 March: 8 h + 16 h of 0.08 t days = 0.08 t.
    expect(days[1]!.value).toBeCloseTo(0.08, 12);
    expect(days.reduce((s, d) => s + d.value, 0)).toBeCloseTo(2.5, 12);
  });

  it('is complete in an hour too: the hour expects the one reading of its day, which came', () => {
    const day = calendarPeriod('2025-03-05', TZ);
    const hours = subPeriods(day, 'hour').map((h) => accountEnterprise(enterprise, readings(), h, factorSet).points.find((p) => p.id === 'tank')!.consumption);
    // 03:00-04:00 lies in the 0.08 t day from 4 March 08:00: 0.08 / 24 t, measured.
    expect(hours[3]!.value).toBeCloseTo(0.08 / 24, 12);
    expect(hours.every((h) => h.completenessPercent === 100 && h.coveragePercent === 100 && h.quality.flags.length === 0)).toBe(true);
  });

  it('shows a missed day as missing data: completeness 30 of 31, the day estimated, the month still exact', () => {
    const missed = readings(tankReadings(new Set(['2025-03-10'])));
    const m = accountEnterprise(enterprise, missed, '2025-03', factorSet).points.find((p) => p.id === 'tank')!.consumption;
    // 9 March 08:00 -> 11 March 08:00 (48 h, 0.16 t) lies inside the month: its energy is exact.
    expect(m.value).toBeCloseTo(2.5, 12);
    expect(m.coveragePercent).toBe(100);
    expect(m.quality).toMatchObject({ readingsReceived: 30, readingsExpected: 31, estimated: 0 });
    // 30 / 31 = 96.774 %
    expect(m.completenessPercent).toBeCloseTo((30 / 31) * 100, 9);
    expect(m.quality.flags).toEqual(['gap']);
    // 10 March: the 48-hour interval crosses both its ends, longer than 1.5 × 24 h: its 24 h share (0.08 t) is an estimate.
    const d = accountEnterprise(enterprise, missed, '2025-03-10', factorSet).points.find((p) => p.id === 'tank')!.consumption;
    expect(d).toMatchObject({ coveragePercent: 0, completenessPercent: 0, quality: { readingsReceived: 0, readingsExpected: 1, flags: ['gap', 'estimated'] } });
    expect(d.quality.estimated).toBeCloseTo(0.08, 12);
  });
});

describe('a 15-minute meter with 36 missing hours inside the month (issue 15)', () => {
  const { enterprise, factorSet } = setup();
  const month = accountEnterprise(enterprise, readings(), '2025-03', factorSet);
  const press = month.points.find((p) => p.id === 'press')!.consumption;

  it('books the exact register difference, fully covered, but incomplete and flagged gap', () => {
    // 1 March 00:00 (q = 1) to 1 April 00:00 (q = 2977): 2 976 quarters × 10 kWh = 29 760 kWh, every interval inside the month.
    expect(press.value).toBeCloseTo(29_760, 9);
    expect(press.coveragePercent).toBe(100);
    expect(press.quality.estimated).toBe(0);
    // Expected: 31 days × 96 quarter-hours = 2 976; received: 2 976 − 36 h × 4 = 2 976 − 144 = 2 832.
    expect(press.quality).toMatchObject({ readingsReceived: 2832, readingsExpected: 2976 });
    // 2 832 / 2 976 = 95.161 %
    expect(press.completenessPercent).toBeCloseTo((2832 / 2976) * 100, 9);
    expect(press.quality.flags).toEqual(['gap']);
  });

  it('shows the day the silence began: half the readings, the rest of its energy estimated', () => {
    const d = accountEnterprise(enterprise, readings(), '2025-03-10', factorSet).points.find((p) => p.id === 'press')!.consumption;
    // 00:00 -> 11:45 measured: 47 quarters × 10 = 470 kWh. 11:45 -> 12 March 00:00 is 36 h 15 min (145 quarters,
    // 1 450 kWh), longer than 1.5 × 15 min: its 12 h 15 min in this day, 49 quarters = 490 kWh, are estimated.
    expect(d.value).toBeCloseTo(960, 9);
    expect(d.quality.estimated).toBeCloseTo(490, 9);
    // Coverage 11 h 45 min of 24 h = 48.958 %; completeness 48 readings (00:00 to 11:45) of 96 = 50 %.
    expect(d.coveragePercent).toBeCloseTo((11.75 / 24) * 100, 9);
    expect(d.completenessPercent).toBe(50);
    expect(d.quality.flags).toEqual(['gap', 'estimated']);
  });
});

describe('rollovers counted per point (issue 15)', () => {
  const { enterprise, factorSet } = setup();

  it('counts the one wrap of main in the month and on its day, none on another day', () => {
    const month = accountEnterprise(enterprise, readings(), '2025-03', factorSet);
    const main = month.points.find((p) => p.id === 'main')!.consumption;
    // 2 976 quarters × 30 kWh = 89 280 kWh, with the wrap 99 980 -> 10 booked as 30 kWh.
    expect(main.value).toBeCloseTo(89_280, 9);
    expect(main.quality.rollovers).toBe(1);
    expect(main.quality.flags).toEqual(['rollover']);
    // q = 667 is 28 February 23:45 + 166 h 45 min = 7 March 22:30.
    expect(accountEnterprise(enterprise, readings(), '2025-03-07', factorSet).points.find((p) => p.id === 'main')!.consumption.quality.rollovers).toBe(1);
    expect(accountEnterprise(enterprise, readings(), '2025-03-08', factorSet).points.find((p) => p.id === 'main')!.consumption.quality.rollovers).toBe(0);
  });
});

describe('a balance carries its meters\' quality (issue 15)', () => {
  const { enterprise, factorSet } = setup();
  const month = accountEnterprise(enterprise, readings(), '2025-03', factorSet);
  const balance = month.balances.find((b) => b.parentId === 'main')!;

  it('says that one child is outside calibration and another has missing readings', () => {
    // 89 280 − (29 760 + 2 976 × 15 = 44 640) = 14 880 kWh
    expect(balance.gap).toBeCloseTo(14_880, 9);
    // paint's readings used in March are the 2 977 instants 1 March 00:00 … 1 April 00:00; from 16 March 00:00
    // (its calibration ended on the 15th) that is 16 days × 96 + the 1 April bound = 1 537 outside.
    const paint = balance.quality.parts.find((p) => p.pointId === 'paint')!;
    expect(paint).toMatchObject({ side: 'child', readingsOutsideCalibration: 1537, flags: ['calibration-invalid'], completenessPercent: 100 });
    const press = balance.quality.parts.find((p) => p.pointId === 'press')!;
    expect(press).toMatchObject({ side: 'child', flags: ['gap'], coveragePercent: 100 });
    expect(press.completenessPercent).toBeCloseTo((2832 / 2976) * 100, 9);
    expect(balance.quality.parts.find((p) => p.pointId === 'main')).toMatchObject({ side: 'input', flags: ['rollover'], readingsOutsideCalibration: 0 });
    // The balance as a whole: every flag of its meters, the readings outside calibration, nothing estimated.
    expect(balance.quality.flags).toEqual(['rollover', 'gap', 'calibration-invalid']);
    expect(balance.quality.readingsOutsideCalibration).toBe(1537);
    expect(balance.quality.estimatedPercent).toBe(0);
  });

  it('pools completeness over its meters instead of taking the lowest', () => {
    // received 2 976 (main) + 2 832 (press) + 2 976 (paint) = 8 784 of 3 × 2 976 = 8 928: 98.387 %,
    // where the lowest part (press) alone would say 95.161 %.
    expect(balance.quality).toMatchObject({ readingsReceived: 8784, readingsExpected: 8928 });
    expect(balance.quality.completenessPercent).toBeCloseTo((8784 / 8928) * 100, 9);
  });

  it('pools completeness in standard coal too, and keeps coverage the lowest part', () => {
    // Boundary inputs tank and main: (31 + 2 976) / (31 + 2 976) = 100 %; coverage min(100, 100).
    expect(month.tceEquivalent).toMatchObject({ completenessPercent: 100, coveragePercent: 100 });
    // Over 10 March: tank 1 of 1, main 96 of 96; the tank's day is complete, so is the sum.
    const day = accountEnterprise(enterprise, readings(tankReadings(new Set(['2025-03-10']))), '2025-03-10', factorSet);
    // Without the tank's reading: (0 + 96) / (1 + 96) = 98.969 %; coverage the lowest part, the tank's 0 %.
    expect(day.tceEquivalent.completenessPercent).toBeCloseTo((96 / 97) * 100, 9);
    expect(day.tceEquivalent.coveragePercent).toBe(0);
    expect(day.carbon.scope1.completenessPercent).toBe(0);
  });
});
