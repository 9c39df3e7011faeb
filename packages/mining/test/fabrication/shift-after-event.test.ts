import { describe, expect, it } from 'vitest';
import { detectShiftAfterEvent, type FabricationInputs } from '../../src/index.ts';
import { hourlyIncrements, point } from './series.ts';

/**
 * A main meter at 10 kWh/h and a sub-meter at 2 kWh/h (U 1 %), 02-15 to 03-15 in UTC (14
 * history days). The sub-meter is replaced on 03-01 at 10:00; from 03-02 it reads `after` kWh/h.
 * Its share of the parent is 0.2 every day before: the usual level (1) with no scatter.
 */
const REPLACED = Date.parse('2026-03-01T10:00:00Z');

function inputs(after: number): FabricationInputs {
  const child = hourlyIncrements('2026-02-15', 29, (d) => (d >= 15 ? after : 2), 0.01);
  return {
    month: '2026-03', timeZone: 'UTC', historyDays: 14,
    points: [
      point('main', hourlyIncrements('2026-02-15', 29, () => 10, 0.005)),
      point('sub', child, { parentId: 'main', replacedAt: [REPLACED] }),
    ],
  };
}

describe('shift after event', () => {
  it('fires when the new meter reads 10 % lower', () => {
    // Share 0.18 after, 0.9 of the usual 0.2: shift −0.1. No scatter (standard error 0) and
    // 10 % is beyond 2 U = 2 %. Its own reading fell from 48 to 43.2 a day: also −0.1.
    // 14 days before (02-15…02-28), 14 after (03-02…03-15).
    const [finding, ...rest] = detectShiftAfterEvent(inputs(1.8));
    expect(rest).toEqual([]);
    expect(finding).toMatchObject({ detector: 'shift-after-event', pointId: 'sub', month: '2026-03' });
    expect(finding!.evidence).toEqual({
      event: 'meter-replaced', eventDate: '2026-03-01', measure: 'share-of-parent',
      levelBefore: 1, levelAfter: 0.9, relativeShift: -0.1, standardError: 0, relativeU: 0.01, ownRelativeShift: -0.1, daysBefore: 14, daysAfter: 14,
    });
  });

  it('stays quiet on a shift an honest new meter may show (within 2 U)', () => {
    // 1.97 kWh/h: shift −1.5 %, under 2 × 1 %.
    expect(detectShiftAfterEvent(inputs(1.97))).toEqual([]);
  });

  it('stays quiet when the share moved because the parent changed, not the point', () => {
    // The main meter reads 10 % higher from 03-02 (11 kWh/h): the share falls to 2/11 = 0.1818
    // (−9.1 %), but the sub-meter's own 2 kWh/h did not move.
    const shifted = inputs(2);
    const main = shifted.points[0]!;
    const parentUp = { ...main, increments: main.increments.map((x) => (x.start >= Date.parse('2026-03-02T00:00:00Z') ? { ...x, value: 11 } : x)) };
    expect(detectShiftAfterEvent({ ...shifted, points: [parentUp, shifted.points[1]!] })).toEqual([]);
  });

  it('judges the event once, in the month holding its fifth day after', () => {
    // Judged for March (03-06 is in March); for February the fifth day after lies in March.
    expect(detectShiftAfterEvent({ ...inputs(1.8), month: '2026-02', historyDays: 0 })).toEqual([]);
  });
});
