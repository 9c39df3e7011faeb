import { describe, expect, it } from 'vitest';
import { generateMeteringFleet, injectFabrication, planInjections, type MeteringFleet, type SimulatedPointSeries } from '../src/index.ts';

const options = { seed: 5, month: '2026-03', sites: 4, childrenPerSite: 3 };
const DAY = 86_400_000;
const MONTH_START = Date.UTC(2026, 2, 1) - 8 * 3_600_000; // local midnight, UTC+8

const byId = (fleet: MeteringFleet, id: string) => fleet.points.find((p) => p.pointId === id)!;
const daily = (p: SimulatedPointSeries) => {
  const totals = new Map<number, number>();
  for (const x of p.increments) totals.set(Math.floor((x.start - MONTH_START) / DAY), (totals.get(Math.floor((x.start - MONTH_START) / DAY)) ?? 0) + x.value);
  return totals;
};

describe('metering fleet for fabrication detectors', () => {
  const fleet = generateMeteringFleet(options);

  it('is the same fleet for the same seed and another for another', () => {
    expect(generateMeteringFleet(options)).toEqual(fleet);
    expect(generateMeteringFleet({ ...options, seed: 6 }).points[0]!.increments[0]!.value).not.toBe(fleet.points[0]!.increments[0]!.value);
  });

  it('simulates the month and 28 days before in quarter-hours, for a main meter and its sub-meters per site', () => {
    expect(fleet.points).toHaveLength(4 * 4);
    const main = byId(fleet, 's0-main');
    expect(main.increments).toHaveLength((28 + 31) * 96);
    expect(main.increments[0]!.start).toBe(MONTH_START - 28 * DAY);
    expect(fleet.points.filter((p) => p.parentId === 's0-main').map((p) => p.pointId)).toEqual(['s0-sub0', 's0-sub1', 's0-sub2']);
  });

  it('keeps a clean main meter above the sum of its sub-meters every day (losses)', () => {
    for (let s = 0; s < 4; s++) {
      const parent = daily(byId(fleet, `s${s}-main`));
      const children = fleet.points.filter((p) => p.parentId === `s${s}-main`).map(daily);
      for (const [day, value] of parent) expect(value).toBeGreaterThan(children.reduce((sum, c) => sum + c.get(day)!, 0));
    }
  });

  it('stamps readings near the interval end, within the clock jitter', () => {
    for (const p of fleet.points) p.readingTimes.forEach((t, i) => expect(Math.abs(t - p.increments[i]!.end)).toBeLessThanOrEqual(p.clockJitterMs));
  });

  it('injects each pattern into its point only, leaving the others as their clean twins', () => {
    const plan = planInjections(fleet, 1, 9);
    expect(new Set(plan.map((i) => i.pattern)).size).toBe(6);
    const tampered = injectFabrication(fleet, plan, 9);
    const changed = tampered.points.filter((p, i) => JSON.stringify(p) !== JSON.stringify(fleet.points[i])).map((p) => p.pointId);
    expect(changed.sort()).toEqual(plan.map((i) => i.pointId).sort());
    expect(injectFabrication(fleet, plan, 9)).toEqual(tampered);
  });

  it('makes each pattern show in the data', () => {
    const plan = planInjections(fleet, 1, 9);
    const tampered = injectFabrication(fleet, plan, 9);
    const target = (pattern: string) => plan.find((i) => i.pattern === pattern)!.pointId;
    const flat = byId(tampered, target('flat-register'));
    expect(flat.increments.filter((x) => x.value === 0).length).toBeGreaterThanOrEqual(2 * 96);
    const exact = byId(tampered, target('jitter-vanished'));
    expect(exact.readingTimes.filter((t, i) => t === exact.increments[i]!.end).length).toBeGreaterThan(96);
    const parentId = target('children-exceed-parent');
    const parent = daily(byId(tampered, parentId));
    const children = tampered.points.filter((p) => p.parentId === parentId).map(daily);
    const exceeding = [...parent].filter(([day, value]) => children.reduce((s, c) => s + c.get(day)!, 0) > value * 1.02);
    expect(exceeding.length).toBeGreaterThanOrEqual(3);
    const shifted = byId(tampered, target('shift-after-event'));
    expect(shifted.replacedAt.length + (shifted.calibrationExpiresAt === byId(fleet, shifted.pointId).calibrationExpiresAt ? 0 : 1)).toBeGreaterThan(0);
  });
});
