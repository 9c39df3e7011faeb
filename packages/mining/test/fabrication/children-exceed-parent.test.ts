import { describe, expect, it } from 'vitest';
import { detectChildrenExceedParent, type FabricationInputs } from '../../src/index.ts';
import { hourlyIncrements, point } from './series.ts';

/**
 * A main meter over two sub-meters, 2026-03-01 to 03-04 in UTC, no history needed. A draws
 * 10 kWh/h (U 1 %), B 5 kWh/h (U 1 %): 360 a day together, U 2.4 and 1.2 a day (a meter's
 * hourly U add linearly). The main meter (U 1 %) reads `parentPerHour` each day.
 */
function site(parentPerHour: (d: number) => number): FabricationInputs {
  return {
    month: '2026-03', timeZone: 'UTC', historyDays: 0,
    points: [
      point('main', hourlyIncrements('2026-03-01', 4, (d) => parentPerHour(d), 0.01)),
      point('a', hourlyIncrements('2026-03-01', 4, () => 10, 0.01), { parentId: 'main' }),
      point('b', hourlyIncrements('2026-03-01', 4, () => 5, 0.01), { parentId: 'main' }),
    ],
  };
}

describe('children exceed parent', () => {
  it('fires when the children sum above the parent beyond the combined U for three days', () => {
    // Main reads 14 kWh/h from 03-02: 336 a day, U 3.36. Excess 360 − 336 = 24;
    // combined U = √(3.36² + 2.4² + 1.2²) = √18.4896 = 4.29995 → 4.3. Three days: 72.
    const [finding, ...rest] = detectChildrenExceedParent(site((d) => (d === 0 ? 16 : 14)));
    expect(rest).toEqual([]);
    expect(finding).toMatchObject({ detector: 'children-exceed-parent', pointId: 'main', month: '2026-03' });
    const day = (date: string) => ({ date, parent: 336, childrenSum: 360, excess: 24, combinedU: 4.3 });
    expect(finding!.evidence).toEqual({ childIds: ['a', 'b'], days: [day('2026-03-02'), day('2026-03-03'), day('2026-03-04')], totalExcess: 72 });
  });

  it('stays quiet for two days of excess', () => {
    expect(detectChildrenExceedParent(site((d) => (d === 1 || d === 2 ? 14 : 16)))).toEqual([]);
  });

  it('stays quiet when the excess is within the combined U', () => {
    // Main 14.9 kWh/h: 357.6 a day, excess 2.4 against U √(3.576² + 2.4² + 1.2²) ≈ 4.47.
    expect(detectChildrenExceedParent(site(() => 14.9))).toEqual([]);
  });
});
