import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { accountEnterprise, assembleEnterpriseFigures, emptyTerm, cumulativePoints, pointConsumption, calendarPeriod, subPeriods, createFactorCatalog, parseManifest, energyBalance, type Enterprise, type RegisterReading } from '../../src/index.ts';

/**
 * Worked example (also in packages/cli/README.md): a plant in Chongqing, March 2025,
 * factor set cn-2023@1.0.0, readings exactly at local month boundaries, so every interval
 * lies inside the month and coverage is 100 %.
 */
const MANIFEST = `
version: 1
enterprises:
  - id: plant
    name: Plant
    region: CN-CQ
    gridRegion: southwest
    timeZone: Asia/Shanghai
    factorSet: { name: cn-2023, version: 1.0.0 }
    scope2Level: provincial
    sites:
      - id: s1
        name: Site 1
        meteringPoints:
          - { id: main, carrier: electricity, quantity: active-energy-import, unit: kWh, multiplier: 40, registerMax: 100000, accuracyClass: 0.5,
              calibration: { certificate: c, validFrom: 2024-01-01, validUntil: 2029-12-31 }, topology: { role: boundary-input } }
          - { id: press, carrier: electricity, quantity: active-energy-import, unit: kWh, accuracyClass: 1,
              calibration: { certificate: c, validFrom: 2024-01-01, validUntil: 2029-12-31 }, topology: { role: sub-meter, parent: main } }
          - { id: paint, carrier: electricity, quantity: active-energy-import, unit: kWh, accuracyClass: 1,
              calibration: { certificate: c, validFrom: 2024-01-01, validUntil: 2029-12-31 }, topology: { role: sub-meter, parent: main } }
          - { id: hvac, carrier: electricity, quantity: active-energy-import, unit: MWh, accuracyClass: 1,
              calibration: { certificate: c, validFrom: 2024-01-01, validUntil: 2029-12-31 }, topology: { role: sub-meter, parent: main } }
          - { id: gas, carrier: natural-gas, quantity: volume, unit: Nm3, accuracyClass: 2,
              calibration: { certificate: c, validFrom: 2024-01-01, validUntil: 2029-12-31 }, topology: { role: boundary-input } }
          - { id: diesel, carrier: diesel, quantity: mass, unit: t, accuracyClass: 0.5,
              calibration: { certificate: c, validFrom: 2024-01-01, validUntil: 2025-03-15 }, topology: { role: boundary-input } }
    devices: []
    production:
      - { period: 2025-03, product: parts, value: 1000, unit: t }
`;

const START = Date.parse('2025-03-01T00:00:00+08:00');
const END = Date.parse('2025-04-01T00:00:00+08:00');

function setup(level: Enterprise['scope2Level'] = 'provincial') {
  const parsed = parseManifest(MANIFEST, 'worked.yaml');
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
  const enterprise = { ...parsed.manifest.enterprises[0]!, scope2Level: level };
  const fs = createFactorCatalog().resolve('cn-2023', '1.0.0');
  if (!fs.ok) throw fs.error;
  return { enterprise, factorSet: fs.factor };
}

const pair = (a: number, b: number): RegisterReading[] => [{ at: START, value: a }, { at: END, value: b }];

function readings(sub = { press: 200000, paint: 180000, hvacMWh: 100 }) {
  return new Map<string, RegisterReading[]>([
    // Main: register 90000.0 -> wraps at 100000 -> 2500.0: (100000 - 90000 + 2500) x 40 = 12500 x 40 = 500 000 kWh.
    // Below half the register, so a rollover, not a suspect drop (no maxPower given).
    ['main', pair(90000, 2500)],
    ['press', pair(1000, 1000 + sub.press)],
    ['paint', pair(0, sub.paint)],
    ['hvac', pair(50, 50 + sub.hvacMWh)],
    ['gas', pair(120000, 150000)], // 30 000 Nm3
    ['diesel', [{ at: START, value: 10 }, { at: Date.parse('2025-03-16T08:00:00+08:00'), value: 11.2 }, { at: END, value: 12.5 }]], // 2.5 t
  ]);
}

describe('accountEnterprise: worked month', () => {
  const { enterprise, factorSet } = setup();
  const r = accountEnterprise(enterprise, readings(), '2025-03', factorSet);
  const point = (id: string) => r.points.find((p) => p.id === id)!;

  it('books consumption per point, with a rollover flagged', () => {
    expect(point('main').consumption.value).toBeCloseTo(500000, 6);
    expect(point('main').consumption.quality.flags).toContain('rollover');
    expect(point('main').consumption.coveragePercent).toBe(100);
    // u = 0.5 % / sqrt(3) x 500 000 = 1443.3757 kWh; U = 2u = 2886.7513 kWh
    expect(point('main').consumption.expandedUncertainty).toBeCloseTo(2886.7513, 3);
    expect(point('gas').consumption.value).toBe(30000);
  });

  it('computes standard coal at equivalent value (GB/T 2589-2020)', () => {
    // electricity 500 000 kWh x 0.1229 kgce/kWh = 61 450 kgce = 61.45 tce
    // gas 30 000 Nm3 x 1.2143 kgce/m3 = 36 429 kgce = 36.429 tce
    // diesel 2 500 kg x 1.4571 kgce/kg = 3 642.75 kgce = 3.64275 tce
    // total 61.45 + 36.429 + 3.64275 = 101.52175 tce; sub-meters are not added again.
    expect(point('main').tce!.value).toBeCloseTo(61.45, 9);
    expect(point('gas').tce!.value).toBeCloseTo(36.429, 9);
    expect(r.tceEquivalent.value).toBeCloseTo(101.52175, 9);
    expect(r.tceEquivalent.factorSet).toBe('cn-2023@1.0.0');
    expect(r.tceEquivalent.quality.flags).toContain('factor-uncertainty-unknown');
    // Equal value with the legacy 0.404 kgce/kWh: 500 000 x 0.404 = 202 000 kgce = 202 tce; + 36.429 + 3.64275 = 242.07175 tce
    const eq = accountEnterprise(enterprise, readings(), '2025-03', factorSet, { equalValue: true });
    expect(eq.tceEqualValue!.value).toBeCloseTo(242.07175, 9);
  });

  it('finds a significant balance gap: 20 000 kWh against U = 4 395 kWh', () => {
    const b = r.balances.find((x) => x.parentId === 'main')!;
    // children 200 000 + 180 000 + 100 MWh (= 100 000 kWh) = 480 000 kWh; gap 20 000 kWh = 4 %
    expect(b.childrenSum).toBeCloseTo(480000, 6);
    expect(b.gap).toBeCloseTo(20000, 6);
    expect(b.gapPercent).toBeCloseTo(4, 9);
    // u² = (0.005/√3·500000)² + (0.01/√3)²·(200000² + 180000² + 100000²)
    //    = 2 083 333.3 + (1e-4/3)·(4e10 + 3.24e10 + 1e10) = 2 083 333.3 + 2 746 666.7 = 4 830 000
    // U = 2·√4 830 000 = 2·2197.726 = 4395.452 kWh
    expect(b.gapExpandedUncertainty).toBeCloseTo(4395.452, 2);
    expect(b.significant).toBe(true);
  });

  it('finds a balance gap within uncertainty: 3 000 kWh against U = 4 492 kWh', () => {
    const r2 = accountEnterprise(enterprise, readings({ press: 200000, paint: 197000, hvacMWh: 100 }), '2025-03', factorSet);
    const b = r2.balances[0]!;
    // u² = 2 083 333.3 + (1e-4/3)·(4e10 + 3.8809e10 + 1e10) = 2 083 333.3 + 2 960 300 = 5 043 633.3; U = 2·2245.80 = 4491.61
    expect(b.gap).toBeCloseTo(3000, 6);
    expect(b.gapExpandedUncertainty).toBeCloseTo(4491.61, 1);
    expect(b.significant).toBe(false);
    // A site threshold on top never makes an insignificant gap significant.
    expect(accountEnterprise(enterprise, readings(), '2025-03', factorSet, { balanceThresholdPercent: { '*': 5 } }).balances[0]!.significant).toBe(false);
  });

  it('computes scope 1 per fuel (GB/T 32150: FC x NCV x CC x OF x 44/12)', () => {
    // gas: 3 (10^4 Nm3) x 389.31 x 15.32e-3 x 0.99 x 44/12 = 3 x 21.650152 = 64.950456 tCO2
    // diesel: 2.5 t x 42.652 x 20.20e-3 x 0.98 x 44/12 = 2.5 x 3.0959098 = 7.7397745 tCO2
    const gas = r.carbon.scope1ByFuel.find((f) => f.carrier === 'natural-gas')!;
    expect(gas.activity.value).toBeCloseTo(3, 12);
    expect(gas.co2.value).toBeCloseTo(64.950456, 5);
    expect(r.carbon.scope1.value).toBeCloseTo(72.6902305, 5);
    // gas relative u: meter 2 %/√3 = 1.1547 %, factor (58 300 - 56 100)/1.96/56 100 = 2.0008 %;
    // combined √(1.1547² + 2.0008²) = 2.3101 %; U = 2 x 64.950456 x 0.023101 = 3.0009 tCO2
    expect(gas.co2.expandedUncertainty).toBeCloseTo(3.0009, 3);
  });

  it('computes scope 2 at two factor levels, and market-based with the residual proxy', () => {
    // provincial CN-CQ 2023: 500 MWh x 0.5581 = 279.05 tCO2
    expect(r.carbon.scope2Location.value).toBeCloseTo(279.05, 9);
    // regional southwest 2023: 500 MWh x 0.2472 = 123.6 tCO2: less than half the provincial figure
    const regional = accountEnterprise(setup('regional').enterprise, readings(), '2025-03', factorSet);
    expect(regional.carbon.scope2Location.value).toBeCloseTo(123.6, 9);
    // market-based without instruments: 500 MWh x 0.6096 (national excl. market-traded non-fossil) = 304.8
    expect(r.carbon.scope2Market.value).toBeCloseTo(304.8, 9);
    // totals: 72.6902305 + 279.05 = 351.7402305
    expect(r.carbon.totalLocation.value).toBeCloseTo(351.7402305, 5);
    // scope 2 U: 2 x 279.05 x 0.5 %/√3 = 1.61110 (grid factor uncertainty unknown, flagged)
    expect(r.carbon.scope2Location.expandedUncertainty).toBeCloseTo(1.6111, 4);
    expect(r.carbon.scope2Location.quality.flags).toContain('factor-uncertainty-unknown');
  });

  it('applies contractual instruments first, pro rata to their validity, then the residual factor', () => {
    const gec = { id: 'gec', kind: 'green-certificate' as const, validFrom: '2025-03-01', validUntil: '2025-03-31', energy: { value: 200, unit: 'MWh' }, emissionFactor: 0 };
    const m = accountEnterprise({ ...enterprise, contractualInstruments: [gec] }, readings(), '2025-03', factorSet);
    // (500 - 200) MWh x 0.6096 = 182.88 tCO2; U = 2 x 0.6096 x (0.5 %/√3 x 500 MWh) = 2 x 0.6096 x 1.443376 = 1.75976
    expect(m.carbon.scope2Market.value).toBeCloseTo(182.88, 9);
    expect(m.carbon.scope2Market.expandedUncertainty).toBeCloseTo(1.75976, 4);
    // A quarter's certificate of 900 MWh gives March 900 x 31/90 = 310 MWh: (500 - 310) x 0.6096 = 115.824
    const q = accountEnterprise({ ...enterprise, contractualInstruments: [{ ...gec, validFrom: '2025-01-01', energy: { value: 900, unit: 'MWh' } }] }, readings(), '2025-03', factorSet);
    expect(q.carbon.scope2Market.value).toBeCloseTo(115.824, 9);
    // Location-based is untouched by instruments.
    expect(q.carbon.scope2Location.value).toBeCloseTo(279.05, 9);
  });

  it('deducts exported electricity with an explicit negative sign', () => {
    const pv = { ...enterprise.sites[0]!.meteringPoints[0]!, id: 'pv', quantity: 'active-energy-export' as const, multiplier: 1, registerMax: undefined,
      topology: { role: 'boundary-output' as const } };
    const withPv = { ...enterprise, sites: [{ ...enterprise.sites[0]!, meteringPoints: [...enterprise.sites[0]!.meteringPoints, pv] }] };
    const rs = readings();
    rs.set('pv', pair(0, 50000)); // 50 000 kWh = 50 MWh exported
    const x = accountEnterprise(withPv, rs, '2025-03', factorSet);
    // -50 MWh x 0.5581 = -27.905 tCO2, kept out of scope 2 itself
    expect(x.carbon.exportedElectricity.value).toBeCloseTo(-27.905, 9);
    expect(x.carbon.scope2Location.value).toBeCloseTo(279.05, 9);
    // net: 351.7402305 - 27.905 = 323.8352305
    expect(x.carbon.totalLocationNetOfExports.value).toBeCloseTo(323.8352305, 5);
    // GB/T 2589: energy supplied outward is deducted: 101.52175 - 50 000 x 0.1229 / 1000 = 95.37675 tce
    expect(x.tceEquivalent.value).toBeCloseTo(95.37675, 9);
  });

  it('balances every node with children, children in manifest order (nested tree)', () => {
    // hvac moved under press, and a sub-meter of paint listed before paint.
    const [main, press, paint, hvac, ...rest] = enterprise.sites[0]!.meteringPoints;
    const q = { ...paint!, id: 'paint-q', topology: { role: 'sub-meter' as const, parent: 'paint' } };
    const nested = { ...enterprise, sites: [{ ...enterprise.sites[0]!, meteringPoints: [main!, q, press!, paint!, { ...hvac!, topology: { role: 'sub-meter' as const, parent: 'press' } }, ...rest] }] };
    const rs = readings();
    rs.set('paint-q', pair(0, 1000));
    const b = accountEnterprise(nested, rs, '2025-03', factorSet).balances;
    expect(b.map((x) => [x.parentId, x.childIds])).toEqual([['main', ['press', 'paint']], ['press', ['hvac']], ['paint', ['paint-q']]]);
    // press 200 000 kWh - hvac 100 MWh (= 100 000 kWh) = 100 000 kWh
    expect(b[1]!.gap).toBeCloseTo(100000, 6);
  });

  it('gives intensities per unit of production', () => {
    // 101.52175 tce / 1000 t = 0.10152175 tce/t; 351.7402305 tCO2 / 1000 t = 0.3517402 tCO2/t
    expect(r.intensities[0]!.tcePerUnit.value).toBeCloseTo(0.10152175, 9);
    expect(r.intensities[0]!.tCO2PerUnit!.value).toBeCloseTo(0.3517402305, 9);
  });

  it('flags readings outside the calibration validity', () => {
    // diesel calibration ended 2025-03-15; readings of 03-16 and 04-01 are outside.
    expect(point('diesel').consumption.quality.readingsOutsideCalibration).toBe(2);
    expect(point('diesel').consumption.quality.flags).toContain('calibration-invalid');
    expect(r.tceEquivalent.quality.flags).toContain('calibration-invalid');
  });

  it('lowers coverage for a gap instead of booking zero', () => {
    const rs = readings();
    // Gas readings stop on 2025-03-25 00:00: 24 of 31 days covered = 77.42 %
    rs.set('gas', [{ at: START, value: 120000 }, { at: Date.parse('2025-03-25T00:00:00+08:00'), value: 144000 }]);
    const g = accountEnterprise(enterprise, rs, '2025-03', factorSet);
    const gas = g.points.find((p) => p.id === 'gas')!;
    expect(gas.consumption.value).toBe(24000);
    expect(gas.consumption.coveragePercent).toBeCloseTo((24 / 31) * 100, 9);
    expect(gas.consumption.quality.flags).toContain('gap');
    expect(g.tceEquivalent.coveragePercent).toBeCloseTo((24 / 31) * 100, 9);
    // With gap filling: 24 000 / 24 d x 7 d = 7 000 Nm3 estimated, kept apart and flagged.
    const filled = accountEnterprise(enterprise, rs, '2025-03', factorSet, { estimateGaps: true }).points.find((p) => p.id === 'gas')!;
    expect(filled.consumption.value).toBeCloseTo(31000, 6);
    expect(filled.consumption.quality.estimated).toBeCloseTo(7000, 6);
    expect(filled.consumption.expandedUncertainty).toBeGreaterThan(gas.consumption.expandedUncertainty);
  });

  it('does not depend on the order readings arrive in (property)', () => {
    const base = readings();
    fc.assert(
      fc.property(fc.integer(), (seed) => {
        const shuffled = new Map([...base].map(([k, v]) => [k, fc.sample(fc.shuffledSubarray(v, { minLength: v.length, maxLength: v.length }), { seed, numRuns: 1 })[0]!]));
        expect(accountEnterprise(enterprise, shuffled, '2025-03', factorSet)).toEqual(r);
      }),
      { numRuns: 20 },
    );
  });
});

describe('assembleEnterpriseFigures', () => {
  const { enterprise, factorSet } = setup();
  const period = calendarPeriod('2025-03', enterprise.timeZone);

  it('gives what accountEnterprise gives from the same per-point consumption', () => {
    const rs = readings();
    const consumptions = new Map(cumulativePoints(enterprise).map(({ point }) => [point.id, pointConsumption(point, rs.get(point.id) ?? [], period, enterprise.timeZone)]));
    expect(assembleEnterpriseFigures(enterprise, consumptions, '2025-03', factorSet)).toEqual(accountEnterprise(enterprise, rs, '2025-03', factorSet));
  });

  it('treats a point without an entry as a point without readings', () => {
    const rs = readings();
    rs.delete('gas');
    const consumptions = new Map(cumulativePoints(enterprise).filter(({ point }) => point.id !== 'gas').map(({ point }) => [point.id, pointConsumption(point, rs.get(point.id)!, period, enterprise.timeZone)]));
    const r = assembleEnterpriseFigures(enterprise, consumptions, period, factorSet);
    expect(r).toEqual(accountEnterprise(enterprise, rs, period, factorSet));
    expect(r.points.find((p) => p.id === 'gas')!.consumption).toMatchObject({ value: 0, coveragePercent: 0, quality: { flags: ['gap'] } });
  });
});

describe('accountEnterprise: sub-day periods', () => {
  it('accounts hours of the month, and the hours add up to the month (conservation)', () => {
    const { enterprise, factorSet } = setup();
    const month = calendarPeriod('2025-03', 'Asia/Shanghai');
    const day = subPeriods(month, 'day')[9]!;
    const hours = subPeriods(day, 'hour');
    const rs = readings();
    const perHour = hours.map((h) => accountEnterprise(enterprise, rs, h, factorSet).points.find((p) => p.id === 'gas')!.consumption);
    // 30 000 Nm3 over the 744 h month, one interval: each hour's share is an estimate of 30 000 / 744 = 40.3226 Nm3.
    expect(perHour[0]!.value).toBeCloseTo(30000 / 744, 9);
    expect(perHour[0]!.quality.flags).toContain('estimated');
    expect(perHour[0]!.coveragePercent).toBe(0);
    expect(perHour.reduce((s, f) => s + f.value, 0)).toBeCloseTo(accountEnterprise(enterprise, rs, day, factorSet).points.find((p) => p.id === 'gas')!.consumption.value, 9);
  });
});

describe('energyBalance', () => {
  it('never gives a smaller expanded uncertainty for a less accurate meter (property)', () => {
    const term = (value: number, u: number) => ({ ...emptyTerm(), value, u });
    fc.assert(
      fc.property(
        fc.double({ min: 1, max: 1e6, noNaN: true }),
        fc.array(fc.double({ min: 0, max: 1e6, noNaN: true }), { minLength: 1, maxLength: 5 }),
        fc.double({ min: 0.01, max: 5, noNaN: true }),
        fc.double({ min: 0, max: 5, noNaN: true }),
        (parent, children, cls, extra) => {
          const u = (v: number, c: number) => (c / 100 / Math.sqrt(3)) * v;
          const mk = (c: number) => energyBalance({ parentId: 'p', parent: term(parent, u(parent, c)), children: children.map((v, i) => ({ id: `c${i}`, term: term(v, u(v, cls)) })) });
          expect(mk(cls + extra).gapExpandedUncertainty).toBeGreaterThanOrEqual(mk(cls).gapExpandedUncertainty);
        },
      ),
    );
  });
});
