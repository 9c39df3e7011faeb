import { calendarPeriod, parseManifest, type Manifest } from '@meterline/domain';
import { READING_FIELDS, READING_TAGS, READINGS_MEASUREMENT, readingTags } from '@meterline/series';
import type { SeriesPoint } from '@meterline/store';

/**
 * An enterprise with every kind of boundary the report sums (electricity in and out, gas,
 * diesel, purchased heat), a sub-meter, production, and calibrations valid, expiring,
 * expired mid-month and not yet valid; its readings for 2026-03 and, sparser, for 2025-03.
 */
const REPORT_MANIFEST_YAML = `
version: 1
enterprises:
  - id: rpt-works
    name: Report Works Ltd
    region: CN-CQ
    gridRegion: southwest
    timeZone: Asia/Shanghai
    factorSet: { name: cn-2023, version: 1.0.0 }
    scope2Level: provincial
    sites:
      - id: rpt-plant
        name: Main plant
        meteringPoints:
          - id: rpt-e-in
            name: 10 kV incomer
            carrier: electricity
            quantity: active-energy-import
            unit: kWh
            multiplier: 40
            registerMax: 100000
            accuracyClass: 0.5
            calibration: { certificate: RPT-1, validFrom: 2024-01-01, validUntil: 2030-01-01 }
            topology: { role: boundary-input }
          - id: rpt-e-press
            carrier: electricity
            quantity: active-energy-import
            unit: kWh
            accuracyClass: 1
            calibration: { certificate: RPT-2, validFrom: 2024-01-01, validUntil: 2026-03-15 }
            topology: { role: sub-meter, parent: rpt-e-in }
          - id: rpt-e-pv-out
            carrier: electricity
            quantity: active-energy-export
            unit: kWh
            accuracyClass: 0.5
            calibration: { certificate: RPT-3, validFrom: 2024-01-01, validUntil: 2026-05-20 }
            topology: { role: boundary-output }
          - id: rpt-gas
            carrier: natural-gas
            quantity: volume
            unit: Nm3
            accuracyClass: 2
            calibration: { certificate: RPT-4, validFrom: 2026-03-10, validUntil: 2029-01-01 }
            topology: { role: boundary-input }
          - id: rpt-diesel
            carrier: diesel
            quantity: mass
            unit: t
            accuracyClass: 0.5
            calibration: { certificate: RPT-5, validFrom: 2024-01-01, validUntil: 2030-01-01 }
            topology: { role: boundary-input }
          - id: rpt-heat
            carrier: heat
            quantity: heat-energy
            unit: GJ
            accuracyClass: 2
            calibration: { certificate: RPT-6, validFrom: 2024-01-01, validUntil: 2030-01-01 }
            topology: { role: boundary-input }
    devices:
      - { id: rpt-dev, kind: meter, meteringPoints: [rpt-e-in, rpt-e-press, rpt-e-pv-out, rpt-gas, rpt-diesel, rpt-heat] }
    production:
      - { period: 2026-03, product: castings, value: 1200, unit: t }
      - { period: 2025-03, product: castings, value: 1000, unit: t }
`;

export const REPORT_ENTERPRISE = 'rpt-works';
export const REPORT_MONTH = '2026-03';
export const REPORT_PREVIOUS_MONTH = '2025-03';
const TZ = 'Asia/Shanghai';
const QUARTER = 900_000;
const HOUR = 3_600_000;

export function reportManifest(extra: Manifest['enterprises'] = []): Manifest {
  const parsed = parseManifest(REPORT_MANIFEST_YAML, 'report-manifest.yaml');
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
  return { ...parsed.manifest, enterprises: [...parsed.manifest.enterprises, ...extra] };
}

/** Register increments per quarter-hour, in register units (before the multiplier). */
const RATES: Record<string, number> = { 'rpt-e-in': 12.5, 'rpt-e-press': 180, 'rpt-e-pv-out': 20, 'rpt-gas': 30, 'rpt-diesel': 0.002, 'rpt-heat': 0.4 };
const CARRIERS: Record<string, [string, string]> = {
  'rpt-e-in': ['electricity', 'active-energy-import'],
  'rpt-e-press': ['electricity', 'active-energy-import'],
  'rpt-e-pv-out': ['electricity', 'active-energy-export'],
  'rpt-gas': ['natural-gas', 'volume'],
  'rpt-diesel': ['diesel', 'mass'],
  'rpt-heat': ['heat', 'heat-energy'],
};

/** A stored reading the way the writer stores it. */
export function storedReading(point: string, tsMs: number, value: number): SeriesPoint {
  const [carrier, quantity] = CARRIERS[point]!;
  return {
    measurement: READINGS_MEASUREMENT,
    tags: { ...readingTags(REPORT_ENTERPRISE, point), [READING_TAGS.site]: 'rpt-plant', [READING_TAGS.carrier]: carrier, [READING_TAGS.quantity]: quantity, [READING_TAGS.device]: 'rpt-dev' },
    fields: { [READING_FIELDS.value]: value, [READING_FIELDS.quality]: 'good' },
    timestampMs: tsMs,
  };
}

/**
 * Readings from an hour before each month to an hour after it: every quarter-hour in
 * 2026-03 (the incomer's register rolls over; gas is silent for six hours on the 12th; a
 * press reading falls on the 20th, a suspect drop), every hour in 2025-03.
 */
export function reportReadings(): SeriesPoint[] {
  const out: SeriesPoint[] = [];
  let seed = 7;
  const noise = () => ((seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648) / 2_147_483_648) * 0.4 + 0.8;
  for (const [month, step, start] of [[REPORT_MONTH, QUARTER, 1], [REPORT_PREVIOUS_MONTH, HOUR, 0.5]] as const) {
    const period = calendarPeriod(month, TZ);
    const gas = { from: period.start + 11 * 86_400_000 + 8 * HOUR, to: period.start + 11 * 86_400_000 + 14 * HOUR };
    for (const point of Object.keys(RATES)) {
      let register = point === 'rpt-e-in' ? 95_000 * start : 1000 * start;
      for (let at = period.start - HOUR; at <= period.end + HOUR; at += step) {
        register += RATES[point]! * (step / QUARTER) * noise();
        if (point === 'rpt-e-in' && register >= 100_000) register -= 100_000;
        if (point === 'rpt-gas' && month === REPORT_MONTH && at > gas.from && at < gas.to) continue;
        const value = point === 'rpt-e-press' && month === REPORT_MONTH && at === period.start + 19 * 86_400_000 ? register - 500 : register;
        out.push(storedReading(point, at, Math.round(value * 1000) / 1000));
      }
    }
  }
  return out;
}
