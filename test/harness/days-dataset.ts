import { calendarPeriod, localDate, type Manifest } from '@meterline/domain';
import { Fleet, fleetManifest, type PayloadFault, type PlannedPayload } from '@meterline/simulator';
import { readingsTopic, type DeadLetterReason, type MqttReading } from '@meterline/contracts';

const QUARTER = 900_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;
const TZ = 'Asia/Shanghai';
const OFFSET = 480;

export interface DaysDataset {
  manifest: Manifest;
  /** The local dates covered, in order. */
  days: string[];
  /** Valid payloads, then the faulty ones. */
  payloads: PlannedPayload[];
  /** Every reading the pipeline must store. */
  readingCount: number;
  /** The dead letters the faulty payloads must produce, by reason. */
  deadLetters: Partial<Record<DeadLetterReason, number>>;
  faults: { gap: string; suspectDrop: string; calibration: string; otherRegion: string; production: { enterprise: string; day: string; product: string } };
}

const FAULTY: Array<[PayloadFault, DeadLetterReason, number]> = [
  ['malformed-json', 'MALFORMED_JSON', 3],
  ['schema-invalid', 'SCHEMA_INVALID', 2],
  ['unauthorised-point', 'POINT_NOT_AUTHORISED', 1],
];

/**
 * A few days of 15-minute readings for three simulated enterprises (an hour either side),
 * with what the data-quality and regulator dashboards must show: an enterprise in a second
 * region, six hours without readings across midnight on its main meter (a gap in two days,
 * estimated at the day boundary), a register that falls once (suspect readings), a
 * meter whose calibration expires before the last day, production recorded for one day (an
 * intensity), and faulty payloads of three kinds (dead letters).
 */
export function daysDataset(prefix: string, firstDay = '2026-03-01', dayCount = 3): DaysDataset {
  const manifest = fleetManifest({ enterprises: 3, devicesPerEnterprise: 2, pointsPerDevice: 3, prefix });
  const e = (i: number) => manifest.enterprises[i]!;
  const start = calendarPeriod(firstDay, TZ).start;
  const days = Array.from({ length: dayCount }, (_, i) => localDate(start + i * DAY, TZ));
  const end = start + dayCount * DAY;
  const secondDay = days[1] ?? days[0]!;
  const faults = {
    gap: `${e(2).id}-d0-p0`,
    suspectDrop: `${e(0).id}-d1-p1`,
    calibration: `${e(1).id}-d1-p0`,
    otherRegion: e(2).id,
    production: { enterprise: e(0).id, day: secondDay, product: 'gearbox' },
  };
  Object.assign(e(2), { region: 'CN-JS', gridRegion: 'east' });
  const calibrated = e(1).sites[0]!.meteringPoints.find((p) => p.id === faults.calibration)!;
  calibrated.calibration = { ...calibrated.calibration, validUntil: secondDay };
  e(0).production = [{ period: secondDay, product: faults.production.product, value: 120, unit: 'pcs' }];

  const gap = { from: start + DAY - 3 * HOUR, to: start + DAY + 3 * HOUR };
  const dropAt = start + DAY + 12 * HOUR;
  const fleet = new Fleet(manifest, { seed: 7, utcOffsetMinutes: OFFSET });
  const seq = new Map<string, number>();
  const payloadOf = (deviceId: string, readings: MqttReading[]): PlannedPayload => {
    const s = seq.get(deviceId) ?? 0;
    seq.set(deviceId, s + 1);
    return { deviceId, topic: readingsTopic(deviceId), seq: s, readings, bytes: Buffer.from(JSON.stringify({ v: 1, deviceId, seq: s, readings })) };
  };
  const payloads: PlannedPayload[] = [];
  let readingCount = 0;
  for (let at = start - HOUR; at <= end + HOUR; at += QUARTER) {
    for (const planned of fleet.tick(at, QUARTER)) {
      const kept: MqttReading[] = [];
      for (const r of planned.readings) {
        if (r.point === faults.gap && at > gap.from && at < gap.to) continue;
        // One reading 1 000 below the register: a fall, then a rise beyond the meter's capacity; neither interval is booked.
        kept.push(r.point === faults.suspectDrop && at === dropAt ? { ...r, value: Math.round((r.value - 1_000) * 1000) / 1000 } : r);
      }
      if (kept.length === 0) continue;
      payloads.push(payloadOf(planned.deviceId, kept));
      readingCount += kept.length;
    }
  }
  const deadLetters: DaysDataset['deadLetters'] = {};
  const devices = fleet.devices;
  for (const [fault, reason, count] of FAULTY) {
    for (let i = 0; i < count; i++) {
      const device = devices[i % devices.length]!;
      const foreign = devices[(i + 1) % devices.length]!.points[0]!.id;
      payloads.push(fleet.faulty(device.id, fault, start + DAY + i * QUARTER, foreign));
    }
    deadLetters[reason] = count;
  }
  return { manifest, days, payloads, readingCount, deadLetters, faults };
}
