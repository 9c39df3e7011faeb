import { calendarPeriod, type Manifest } from '@meterline/domain';
import { Fleet, type PlannedPayload } from '@meterline/simulator';
import { readingsTopic, type MqttReading } from '@meterline/contracts';

const QUARTER = 900_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;

export interface ReportMonth {
  manifest: Manifest;
  enterpriseId: string;
  month: string;
  payloads: PlannedPayload[];
  readingCount: number;
  /** The point silent from the 25th on, and when its silence starts. */
  silent: { point: string; fromMs: number };
}

/**
 * One enterprise for the report's end-to-end test: an electricity incomer with two
 * sub-meters (a balance), natural gas (silent from the 25th 00:00 local to the end of the
 * month: partial coverage, days without gas), rooftop PV exported (a negative, deducted
 * carrier); a month of 15-minute readings, an hour either side. Its names are user input a
 * page could be attacked with, in Chinese and with markup.
 */
export function reportMonth(prefix: string, month = '2026-02'): ReportMonth {
  const enterpriseId = `${prefix}-e0`;
  const point = (id: string, carrier: 'electricity' | 'natural-gas', quantity: 'active-energy-import' | 'active-energy-export' | 'volume', unit: string, rated: number, accuracyClass: number, topology: object) => ({
    id: `${prefix}-${id}`,
    carrier,
    quantity,
    unit,
    registerMax: 100_000_000,
    accuracyClass,
    maxPower: { value: rated, unit: unit === 'kWh' ? 'kW' : 'Nm3/h' },
    calibration: { certificate: `${prefix}-${id}-cal`, validFrom: '2024-01-01', validUntil: '2030-12-31' },
    topology,
  });
  const main = `${prefix}-e-main`;
  const points = [
    { ...point('e-main', 'electricity', 'active-energy-import', 'kWh', 2_000, 0.5, { role: 'boundary-input' }), name: '10 kV 进线 <b>main</b>' },
    point('e-line', 'electricity', 'active-energy-import', 'kWh', 900, 1, { role: 'sub-meter', parent: main }),
    point('e-hvac', 'electricity', 'active-energy-import', 'kWh', 400, 1, { role: 'sub-meter', parent: main }),
    point('gas', 'natural-gas', 'volume', 'Nm3', 150, 2, { role: 'boundary-input' }),
    point('pv', 'electricity', 'active-energy-export', 'kWh', 120, 0.5, { role: 'boundary-output' }),
  ];
  const manifest = {
    version: 1,
    enterprises: [
      {
        id: enterpriseId,
        name: '重庆精密铸造 <script>alert("x")</script> & Söhne',
        region: 'CN-CQ',
        gridRegion: 'southwest',
        timeZone: 'Asia/Shanghai',
        factorSet: { name: 'cn-2023', version: '1.0.0' },
        scope2Level: 'provincial',
        sites: [{ id: `${prefix}-s0`, name: '一厂 "><img src=x onerror=alert(1)>', meteringPoints: points }],
        devices: [{ id: `${prefix}-gw`, kind: 'gateway', meteringPoints: points.map((p) => p.id) }],
      },
    ],
  } as Manifest;

  const period = calendarPeriod(month, 'Asia/Shanghai');
  const silent = { point: `${prefix}-gas`, fromMs: period.start + 24 * DAY };
  const fleet = new Fleet(manifest, { seed: 23, utcOffsetMinutes: 480 });
  const payloads: PlannedPayload[] = [];
  let seq = 0;
  let readingCount = 0;
  for (let at = period.start - HOUR; at <= period.end + HOUR; at += QUARTER) {
    for (const planned of fleet.tick(at, QUARTER)) {
      const readings: MqttReading[] = planned.readings.filter((r) => !(r.point === silent.point && at >= silent.fromMs));
      const s = seq++;
      payloads.push({ deviceId: planned.deviceId, topic: readingsTopic(planned.deviceId), seq: s, readings, bytes: Buffer.from(JSON.stringify({ v: 1, deviceId: planned.deviceId, seq: s, readings })) });
      readingCount += readings.length;
    }
  }
  return { manifest, enterpriseId, month, payloads, readingCount, silent };
}
