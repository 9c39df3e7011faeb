import { describe, expect, it } from 'vitest';
import { detectFlatRegister, type FabricationInputs } from '../../src/index.ts';
import { hourlyIncrements, point } from './series.ts';

/**
 * A site in UTC, history 2026-02-22 to 02-28 (7 days), data to 2026-03-07. Sub-meter A draws
 * 10 kWh/h (240 a day), B 5 kWh/h (120), the main meter 16 kWh/h (384: 1 kWh/h unmetered, 24
 * a day). On 03-03 and 03-04 (Tuesday, Wednesday) A reads 0.
 */
const DAYS = 14; // 02-22 … 03-07
const flat = (d: number) => d === 9 || d === 10; // 03-03 and 03-04

function site(parentPerHour: (d: number) => number): FabricationInputs {
  return {
    month: '2026-03', timeZone: 'UTC', historyDays: 7,
    points: [
      point('main', hourlyIncrements('2026-02-22', DAYS, (d) => parentPerHour(d), 0.01)),
      point('a', hourlyIncrements('2026-02-22', DAYS, (d) => (flat(d) ? 0 : 10), 0.02), { parentId: 'main' }),
      point('b', hourlyIncrements('2026-02-22', DAYS, () => 5, 0.02), { parentId: 'main' }),
    ],
  };
}

describe('flat register', () => {
  it('fires when the register stops and the parent keeps recording its load', () => {
    // Parent unchanged at 384 a day: remainder on the flat days 384 − 0 − 120 = 264 against the
    // usual 24, a rise of 240 a day, 480 over both; A usually draws 240 a working day, 480 over
    // the two; 480 ≥ 0.5 × 480. The parent moved 2 × 384 = 768.
    const [finding, ...rest] = detectFlatRegister(site(() => 16));
    expect(rest).toEqual([]);
    expect(finding).toMatchObject({ detector: 'flat-register', pointId: 'a', month: '2026-03' });
    expect(finding!.evidence).toEqual({ parentId: 'main', flatDays: ['2026-03-03', '2026-03-04'], usualDaily: 240, parentMoved: 768, unmeteredRise: 480 });
  });

  it('stays quiet when the machine was really off: the parent dropped by its load', () => {
    // Parent 6 kWh/h on those days (144): remainder 144 − 120 = 24, the usual; no rise.
    expect(detectFlatRegister(site((d) => (flat(d) ? 6 : 16)))).toEqual([]);
  });

  it('needs two flat days: one is an idle day', () => {
    const inputs = site(() => 16);
    const a = inputs.points[1]!;
    // 03-04 gets its 10 kWh/h back: only 03-03 is flat.
    const oneDay = { ...a, increments: a.increments.map((x) => (x.start >= Date.parse('2026-03-04T00:00:00Z') ? { ...x, value: 10, expandedUncertainty: 0.2 } : x)) };
    expect(detectFlatRegister({ ...inputs, points: [inputs.points[0]!, oneDay, inputs.points[2]!] })).toEqual([]);
  });
});
