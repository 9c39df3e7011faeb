import type { KeyObject } from 'node:crypto';
import { readingsTopic, signPayload, type MqttReading } from '@meterline/contracts';
import type { Manifest } from '@meterline/domain';
import { formatWithOffset } from './format-time.ts';
import { loadFactor } from './load-profile.ts';
import { seededRandom } from './random.ts';

/** A fault the simulator can put into a payload on purpose. */
export type PayloadFault = 'malformed-json' | 'schema-invalid' | 'unauthorised-point';

export interface PlannedPayload {
  deviceId: string;
  topic: string;
  seq: number;
  bytes: Buffer;
  /** The readings as sent; for a fault, the ones the pipeline should refuse. */
  readings: MqttReading[];
  fault?: PayloadFault;
}

interface SimPoint {
  id: string;
  quantity: string;
  unit: string;
  ratedPerHour: number;
  register: number;
}

interface SimDevice {
  id: string;
  points: SimPoint[];
  seq: number;
}

export interface FleetOptions {
  seed?: number;
  /** Offset of the meters' clocks (Asia/Shanghai: +480). */
  utcOffsetMinutes?: number;
  /** Readings per payload: 'all' sends every point of a device in one batch payload. */
  readingsPerPayload?: number | 'all';
  /** Ed25519 private keys by device id: those devices sign their payloads (`sig`). */
  signingKeys?: ReadonlyMap<string, KeyObject>;
}

/**
 * Devices from a registry manifest, each with the cumulative registers of its points.
 * `tick` advances every register by one interval of a day-shift load profile and returns
 * the payloads the devices would publish.
 */
export class Fleet {
  readonly devices: SimDevice[];
  private readonly random: () => number;
  private readonly offset: number;

  constructor(manifest: Manifest, private readonly options: FleetOptions = {}) {
    this.random = seededRandom(options.seed ?? 1);
    this.offset = options.utcOffsetMinutes ?? 480;
    const points = new Map(manifest.enterprises.flatMap((e) => e.sites.flatMap((s) => s.meteringPoints.map((p) => [p.id, p] as const))));
    this.devices = manifest.enterprises.flatMap((e) =>
      e.devices.map((d) => ({
        id: d.id,
        seq: 0,
        points: d.meteringPoints.map((id) => {
          const p = points.get(id);
          if (!p) throw new Error(`manifest: device ${d.id} lists unknown point ${id}`);
          return { id, quantity: p.quantity, unit: p.unit, ratedPerHour: p.maxPower?.value ?? 100, register: Math.round(1_000 + this.random() * 50_000) };
        }),
      })),
    );
  }

  /** Advances every register to `atMs` (one interval of `intervalMs` after the previous tick) and plans the payloads. */
  tick(atMs: number, intervalMs: number): PlannedPayload[] {
    const local = new Date(atMs + this.offset * 60_000);
    const factor = loadFactor(local.getUTCHours() + local.getUTCMinutes() / 60, local.getUTCDay());
    const ts = formatWithOffset(atMs, this.offset);
    const payloads: PlannedPayload[] = [];
    for (const device of this.devices) {
      const readings = device.points.map((point) => {
        const increment = point.ratedPerHour * factor * (intervalMs / 3_600_000) * (0.9 + 0.2 * this.random());
        point.register = Math.round((point.register + increment) * 1000) / 1000;
        return { point: point.id, ts, quantity: point.quantity, value: point.register, unit: point.unit };
      });
      const size = this.options.readingsPerPayload === 'all' || this.options.readingsPerPayload === undefined ? readings.length : this.options.readingsPerPayload;
      for (let i = 0; i < readings.length; i += size) payloads.push(this.payload(device, readings.slice(i, i + size)));
    }
    return payloads;
  }

  /** A payload of the given fault from a device, using its first point. */
  faulty(deviceId: string, fault: PayloadFault, atMs: number, foreignPoint?: string): PlannedPayload {
    const device = this.devices.find((d) => d.id === deviceId);
    const first = device?.points[0];
    if (!device || !first) throw new Error(`no device ${deviceId} with points`);
    const reading = { point: first.id, ts: formatWithOffset(atMs, this.offset), quantity: first.quantity, value: first.register, unit: first.unit };
    const seq = device.seq++;
    const topic = readingsTopic(device.id);
    switch (fault) {
      case 'malformed-json':
        return { deviceId, topic, seq, fault, readings: [reading], bytes: Buffer.from(`{"v":1,"deviceId":"${device.id}","seq":${seq},"readings":[{"point":`) };
      case 'schema-invalid':
        return { deviceId, topic, seq, fault, readings: [reading], bytes: Buffer.from(JSON.stringify({ v: 1, deviceId: device.id, seq, readings: [{ ...reading, value: 'n/a' }] })) };
      case 'unauthorised-point': {
        if (!foreignPoint) throw new Error('unauthorised-point needs a point of another device');
        const foreign = { ...reading, point: foreignPoint };
        return { deviceId, topic, seq, fault, readings: [foreign], bytes: Buffer.from(JSON.stringify({ v: 1, deviceId: device.id, seq, readings: [foreign] })) };
      }
    }
  }

  private payload(device: SimDevice, readings: MqttReading[]): PlannedPayload {
    const seq = device.seq++;
    const body = readings.length === 1 ? { v: 1, deviceId: device.id, seq, ...readings[0] } : { v: 1, deviceId: device.id, seq, readings };
    const key = this.options.signingKeys?.get(device.id);
    const sent = key === undefined ? body : signPayload(body, key);
    return { deviceId: device.id, topic: readingsTopic(device.id), seq, readings, bytes: Buffer.from(JSON.stringify(sent)) };
  }
}
