import { describe, expect, it } from 'vitest';
import { calendarPeriod, type EnergyBaseline } from '@meterline/domain';
import { dailyBaseline, type DailyInput } from '@meterline/mining';
import { FIGURE_DETAIL_FIELDS as D, FIGURE_TAGS as T } from '@meterline/series';
import { deviationRows } from '../src/judged/baseline-deviation-rows.ts';

/**
 * The rows alone, on a fit of hand-made days (UTC): 28 baseline days of 2 400 ± 24 (as in
 * baseline-deviation.test.ts), then 4 days 96 above and 8 days back at 2 400. The CUSUM signals the
 * rise, then the return; once the level it monitors is back within the allowance, the days carry no
 * lasting change: a return after a rise is no fall.
 */
const TZ = 'UTC';
const date = (i: number) => new Date(Date.UTC(2026, 0, 5 + i)).toISOString().slice(0, 10);
const days: DailyInput[] = Array.from({ length: 40 }, (_, i) => {
  const energy = i < 28 ? (Math.floor(i / 7) % 2 === 0 ? 2_424 : 2_376) : i < 32 ? 2_496 : 2_400;
  const weekday = new Date(`${date(i)}T12:00:00Z`).getUTCDay();
  return { date: date(i), startMs: calendarPeriod(date(i), TZ).start, energy, energyU: 10, workingDay: weekday === 0 || weekday === 6 ? 0 : 1 };
});
const baseline: EnergyBaseline = { id: 'enb', period: `${date(0)}..${date(27)}` };

describe('deviationRows', () => {
  it('a rise and a return: up while the level is beyond the allowance, then nothing', () => {
    const fit = dailyBaseline(days, { baseline: { from: date(0), to: date(27) }, reporting: { from: date(28), to: date(39) } });
    if (!fit.ok) throw new Error(fit.error.message);
    const reporting = days.slice(28).map((d) => calendarPeriod(d.date, TZ));
    const rows = deviationRows(fit.value, { enterpriseId: 'e', baseline, unit: 'kWh', registryVersion: 'r', factorSet: 'f', days: reporting, measures: new Map() });
    expect(rows).toHaveLength(12);
    const { changePoints } = fit.value.anomalies.cusum;
    expect(changePoints.map((c) => c.direction)).toEqual(['up', 'down']);
    const [rise, fall] = changePoints;
    for (const f of rows) {
      const day = f.periodKey;
      const signal = day >= rise!.signalDate && day < fall!.signalDate ? 'up' : '';
      expect(f.detail[D.changeSignal], day).toBe(signal);
      expect(f.detail[D.changeSince], day).toBe(signal === '' ? '' : rise!.startDate);
    }
    expect(rows.filter((f) => f.detail[D.changeSignal] === 'up').length).toBeGreaterThan(0);
    expect(rows.at(-1)!.detail[D.changeSignal]).toBe('');
    // The return brings the level back near 0, within the allowance k·s = 0.5 × 24.906.
    expect(Math.abs(rows.at(-1)!.detail[D.changeLevel] as number)).toBeLessThan(0.5 * 24 * Math.sqrt(28 / 26));
    // No day figure read: U 0 and coverage 100.
    expect(rows[0]).toMatchObject({ expandedUncertainty: 0, coveragePercent: 100, subject: { [T.baseline]: 'enb' } });
  });
});
