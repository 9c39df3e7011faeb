import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  accountEnterprise, calendarPeriod, parseManifest, pointConsumption, readingsBounding, subPeriods, createFactorCatalog,
  type AccountingOptions, type MeteringPoint, type Period, type RegisterReading, type TimeRange,
} from '../../src/index.ts';

const at = (...instants: number[]): RegisterReading[] => instants.map((t, i) => ({ at: t, value: i }));
const instants = (rs: readonly RegisterReading[]) => rs.map((r) => r.at);

describe('readingsBounding', () => {
  // Instants 0, 10, 10, 20, 30, 30, 40: duplicates at 10 and 30.
  const sorted = at(0, 10, 10, 20, 30, 30, 40);
  const bounding = (start: number, end: number) => instants(readingsBounding(sorted, { start, end }));

  it('keeps the readings inside, the last instant before and the first at or after the end, with all their duplicates', () => {
    expect(bounding(15, 30)).toEqual([10, 10, 20, 30, 30]);
    // A period with no reading inside is bracketed by its neighbours.
    expect(bounding(11, 19)).toEqual([10, 10, 20]);
  });

  it('takes a reading exactly at the start as inside, and the instant before it as the bound', () => {
    expect(bounding(10, 20)).toEqual([0, 10, 10, 20]);
  });

  it('takes a reading exactly at the end as the upper bound', () => {
    expect(bounding(11, 30)).toEqual([10, 10, 20, 30, 30]);
  });

  it('has no lower bound without a reading before the start, no upper bound without one at or after the end', () => {
    expect(bounding(-5, 5)).toEqual([0, 10, 10]);
    expect(bounding(-10, -5)).toEqual([0]);
    expect(bounding(35, 100)).toEqual([30, 30, 40]);
    expect(bounding(50, 60)).toEqual([40]);
    expect(bounding(-100, 100)).toEqual(instants(sorted));
  });

  it('gives nothing for no readings', () => {
    expect(readingsBounding([], { start: 0, end: 10 })).toEqual([]);
  });
});

/**
 * A figure depends only on the readings that bound its period: an enterprise in
 * Europe/Berlin (spring-forward on 2025-03-30) with a wrapping register, a multiplier, a
 * physical cap and a meter replacement; a sub-meter whose calibration ends mid-way.
 */
const MANIFEST = `
version: 1
enterprises:
  - id: e
    name: E
    region: DE-BE
    gridRegion: east
    timeZone: Europe/Berlin
    factorSet: { name: cn-2023, version: 1.0.0 }
    scope2Level: national
    sites:
      - id: s
        name: S
        meteringPoints:
          - { id: main, carrier: electricity, quantity: active-energy-import, unit: kWh, multiplier: 2, registerMax: 100000, accuracyClass: 0.5,
              maxPower: { value: 4000, unit: kW }, replacements: [{ at: '2025-03-30T12:00:00+02:00', oldFinalRegister: 99000, newInitialRegister: 0 }],
              calibration: { certificate: c, validFrom: 2024-01-01, validUntil: 2029-12-31 }, topology: { role: boundary-input } }
          - { id: sub, carrier: electricity, quantity: active-energy-import, unit: kWh, accuracyClass: 1,
              calibration: { certificate: c, validFrom: 2024-01-01, validUntil: 2025-03-30 }, topology: { role: sub-meter, parent: main } }
          - { id: gas, carrier: natural-gas, quantity: volume, unit: Nm3, registerMax: 100000, accuracyClass: 2,
              calibration: { certificate: c, validFrom: 2024-01-01, validUntil: 2029-12-31 }, topology: { role: boundary-input } }
    devices: []
`;

const Q = 900_000;
const H = 3_600_000;
const DAY = 24 * H;
const T0 = Date.parse('2025-03-28T00:00:00+01:00');
const REGISTER_MAX = 100_000;

function setup() {
  const parsed = parseManifest(MANIFEST, 'bounding.yaml');
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
  const fs = createFactorCatalog().resolve('cn-2023', '1.0.0');
  if (!fs.ok) throw fs.error;
  return { enterprise: parsed.manifest.enterprises[0]!, factorSet: fs.factor };
}

/** Register readings: steady increments, duplicates, conflicting duplicates, drops, jumps (wraps, over the cap), long gaps. */
const readingsArb = fc
  .tuple(
    fc.integer({ min: -2 * H, max: 2 * H }),
    fc.integer({ min: 0, max: REGISTER_MAX - 1 }),
    fc.array(
      fc.record({
        gap: fc.oneof({ arbitrary: fc.constantFrom(Q, H), weight: 30 }, fc.integer({ min: 1, max: 3 * DAY })),
        kind: fc.oneof({ arbitrary: fc.constant('increment'), weight: 12 }, fc.constantFrom('duplicate', 'conflict', 'drop', 'jump')),
        amount: fc.integer({ min: 0, max: 60_000 }),
      }),
      { maxLength: 200, size: 'medium' },
    ),
  )
  .map(([offset, start, steps]) => {
    let t = T0 + offset;
    let v = start;
    const out: RegisterReading[] = [{ at: t, value: v }];
    for (const s of steps) {
      if (s.kind === 'duplicate') out.push({ at: t, value: v });
      else if (s.kind === 'conflict') out.push({ at: t, value: (v + 1 + s.amount) % REGISTER_MAX });
      else {
        t += s.gap;
        v = s.kind === 'drop' ? Math.max(0, v - s.amount) : (v + (s.kind === 'jump' ? s.amount : s.amount % 500)) % REGISTER_MAX;
        out.push({ at: t, value: v });
      }
    }
    return out;
  });

const rangeArb: fc.Arbitrary<TimeRange> = fc
  .tuple(fc.integer({ min: -3 * H, max: DAY }), fc.oneof(fc.constantFrom(Q, H, DAY), fc.integer({ min: 1, max: DAY })))
  .map(([offset, length]) => ({ start: T0 + offset, end: T0 + offset + length }));

const optionsArb: fc.Arbitrary<AccountingOptions> = fc.record({ estimateGaps: fc.boolean() }, { requiredKeys: [] });

/** The interpolation limit and the completeness count follow the cadence: each must keep to the bounding readings too. */
const cadenceArb = fc.constantFrom(undefined, 'PT15M', 'PT1H', 'PT7M', 'PT6H', 'P1D', 'P1M');
const withCadence = (point: MeteringPoint, expectedInterval: string | undefined): MeteringPoint =>
  expectedInterval === undefined ? point : { ...point, expectedInterval };

const byInstant = (rs: readonly RegisterReading[]) => [...rs].sort((a, b) => a.at - b.at);

describe('a figure depends only on the readings that bound its period (property)', () => {
  const { enterprise, factorSet } = setup();
  const tz = enterprise.timeZone;

  it('pointConsumption', () => {
    const points = enterprise.sites[0]!.meteringPoints;
    fc.assert(
      fc.property(fc.constantFrom(...points), cadenceArb, readingsArb, rangeArb, optionsArb, (declared, cadence, all, period, options) => {
        const point = withCadence(declared, cadence);
        const bounded = readingsBounding(byInstant(all), period);
        expect(pointConsumption(point, bounded, period, tz, options)).toEqual(pointConsumption(point, all, period, tz, options));
      }),
      { numRuns: 500 },
    );
  });

  it('accountEnterprise', () => {
    const march = calendarPeriod('2025-03', tz);
    const dstDay = calendarPeriod('2025-03-30', tz);
    const periods: Period[] = [
      march, calendarPeriod('2025-04', tz), ...subPeriods(march, 'day').slice(26),
      ...subPeriods(dstDay, 'hour'), ...subPeriods(dstDay, 'quarter-hour'), ...subPeriods(calendarPeriod('2025-03-31', tz), 'hour'),
    ];
    fc.assert(
      fc.property(fc.tuple(readingsArb, readingsArb, readingsArb), fc.constantFrom(...periods), optionsArb, cadenceArb, (perPoint, period, options, cadence) => {
        const e = { ...enterprise, sites: enterprise.sites.map((s) => ({ ...s, meteringPoints: s.meteringPoints.map((p) => withCadence(p, cadence)) })) };
        const all = new Map(['main', 'sub', 'gas'].map((id, i) => [id, perPoint[i]!]));
        const bounded = new Map([...all].map(([id, rs]) => [id, readingsBounding(byInstant(rs), period)]));
        expect(accountEnterprise(e, bounded, period, factorSet, options)).toEqual(accountEnterprise(e, all, period, factorSet, options));
      }),
      { numRuns: 200 },
    );
  });
});
