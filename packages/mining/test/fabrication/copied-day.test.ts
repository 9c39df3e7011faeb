import { describe, expect, it } from 'vitest';
import { detectCopiedDay, type FabricationInputs } from '../../src/index.ts';
import { hourlyIncrements, point } from './series.ts';

/**
 * One point in UTC. History: 02-26 alternates 10/12 kWh/h, 02-27 12/10, 02-28 11/13. Step
 * spreads 2/11, 2/11, 2/12: the usual is their median, 0.1818. On 03-01 it reads `monthDay`.
 */
const pair = (even: number, odd: number) => (h: number) => (h % 2 === 0 ? even : odd);
const history = [pair(10, 12), pair(12, 10), pair(11, 13)];

function inputs(monthDay: (h: number) => number): FabricationInputs {
  return {
    month: '2026-03', timeZone: 'UTC', historyDays: 3,
    points: [point('p', hourlyIncrements('2026-02-26', 4, (d, h) => (d < 3 ? history[d]!(h) : monthDay(h)), 0.01))],
  };
}

describe('copied day', () => {
  it('fires on a day that repeats an earlier one, nudged by 0.01 kWh', () => {
    // 03-01 = 02-27 + 0.01 each hour: RMS difference 0.01. Its median is 11.01, so two honest
    // days are expected to differ by (√2 / 0.954) × 0.1818… × 11.01 = 1.48240 × 2.00182 = 2.9675;
    // the limit is a tenth of that. Against 02-26 it differs by about 2: not the source.
    const [finding, ...rest] = detectCopiedDay(inputs((h) => pair(12, 10)(h) + 0.01));
    expect(rest).toEqual([]);
    expect(finding).toMatchObject({ detector: 'copied-day', pointId: 'p', month: '2026-03' });
    expect(finding!.evidence.copies).toHaveLength(1);
    const copy = finding!.evidence.copies[0]!;
    expect(copy).toMatchObject({ date: '2026-03-01', sourceDate: '2026-02-27' });
    expect(copy.rmsDifference).toBeCloseTo(0.01, 4);
    expect(copy.expectedRmsDifference).toBeCloseTo(2.9675, 3);
  });

  it('stays quiet on a day of the same shape and its own noise', () => {
    // 13/10: against 02-27 (12/10) the differences are 1 and 0, RMS √0.5 = 0.707, above a
    // tenth of 1.4824 × 0.1818 × 11.5 = 3.10.
    expect(detectCopiedDay(inputs(pair(13, 10)))).toEqual([]);
  });
});
