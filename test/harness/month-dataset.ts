import { calendarPeriod, type Manifest } from '@meterline/domain';
import { Fleet, fleetManifest, formatWithOffset, type PlannedPayload } from '@meterline/simulator';
import { readingsTopic, type MqttReading } from '@meterline/contracts';

const QUARTER = 900_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;
const TZ = 'Asia/Shanghai';
const OFFSET = 480;

export interface MonthDataset {
  manifest: Manifest;
  month: string;
  /** Payloads in publication order; the late batch comes last. */
  payloads: PlannedPayload[];
  /** Held back for the restatement test: the end of one point's month, published after the figures exist. */
  lateReadings: PlannedPayload[];
  /** Every reading the pipeline must store once all payloads (not the late ones) are in. */
  readingCount: number;
  faults: { rollover: string; replacement: string; gap: string; lateBatchDevice: string; lateReadingPoint: string };
}

/**
 * A month of 15-minute readings for three simulated enterprises, one hour either side,
 * with the faults the accounting must handle: a register that rolls over, a meter
 * replaced mid-month (recorded in the registry), five silent hours, and a device whose
 * six hours of readings arrive after everything else.
 */
export function monthDataset(prefix: string, month = '2026-02'): MonthDataset {
  const manifest = fleetManifest({ enterprises: 3, devicesPerEnterprise: 2, pointsPerDevice: 3, prefix });
  const period = calendarPeriod(month, TZ);
  const e = (i: number) => manifest.enterprises[i]!;
  const pointOf = (enterprise: number, id: string) => e(enterprise).sites[0]!.meteringPoints.find((p) => p.id === id)!;
  const faults = {
    rollover: `${e(0).id}-d1-p0`,
    replacement: `${e(1).id}-d1-p1`,
    gap: `${e(2).id}-d0-p2`,
    lateBatchDevice: `${e(0).id}-d0`,
    lateReadingPoint: `${e(0).id}-d1-p2`,
  };
  const REGISTER_MAX = 40_000;
  pointOf(0, faults.rollover).registerMax = REGISTER_MAX;
  const replacedAt = period.start + 10 * DAY + 10 * HOUR + 7 * 60_000;
  const gap = { from: period.start + 5 * DAY + 9 * HOUR, to: period.start + 5 * DAY + 14 * HOUR };
  const lateBatch = { from: period.start + 15 * DAY + 6 * HOUR, to: period.start + 15 * DAY + 12 * HOUR };
  const lateReadingsFrom = period.end - QUARTER;

  const fleet = new Fleet(manifest, { seed: 11, utcOffsetMinutes: OFFSET });
  const seq = new Map<string, number>();
  const payloadOf = (deviceId: string, readings: MqttReading[]): PlannedPayload => {
    const s = seq.get(deviceId) ?? 0;
    seq.set(deviceId, s + 1);
    return { deviceId, topic: readingsTopic(deviceId), seq: s, readings, bytes: Buffer.from(JSON.stringify({ v: 1, deviceId, seq: s, readings })) };
  };
  let replacementBase: number | undefined;
  const payloads: PlannedPayload[] = [];
  const late: PlannedPayload[] = [];
  const lateReadings: PlannedPayload[] = [];
  let readingCount = 0;
  for (let at = period.start - HOUR; at <= period.end + HOUR; at += QUARTER) {
    for (const planned of fleet.tick(at, QUARTER)) {
      const kept: MqttReading[] = [];
      const held: MqttReading[] = [];
      for (const r of planned.readings) {
        let value = r.value;
        if (r.point === faults.rollover) value = Math.round((value % REGISTER_MAX) * 1000) / 1000;
        if (r.point === faults.replacement) {
          // The new meter starts at 0 at the replacement; the old one's last reading is its final register.
          if (at <= replacedAt) replacementBase = value;
          else value = Math.round((value - replacementBase!) * 1000) / 1000;
        }
        if (r.point === faults.gap && at > gap.from && at < gap.to) continue;
        const reading = { ...r, value };
        if (r.point === faults.lateReadingPoint && at >= lateReadingsFrom) held.push(reading);
        else kept.push(reading);
      }
      if (kept.length > 0) {
        const p = payloadOf(planned.deviceId, kept);
        (planned.deviceId === faults.lateBatchDevice && at >= lateBatch.from && at < lateBatch.to ? late : payloads).push(p);
        readingCount += kept.length;
      }
      if (held.length > 0) lateReadings.push(payloadOf(planned.deviceId, held));
    }
  }
  pointOf(1, faults.replacement).replacements = [
    { at: formatWithOffset(replacedAt, OFFSET), oldFinalRegister: replacementBase!, newInitialRegister: 0, serial: 'SIM-REPLACEMENT-1' },
  ];
  return { manifest, month, payloads: [...payloads, ...late], lateReadings, readingCount, faults };
}
