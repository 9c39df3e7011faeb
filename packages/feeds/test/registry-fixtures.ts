import type { BusConsumer } from '@meterline/bus';
import { nextEntry, type EnterpriseJson, type RegistryEntryV1 } from '@meterline/contracts';
import { startTopicRegistrySource, type RegistryEntryApplied, type RegistryRecordRejected, type TopicRegistrySource } from '../src/index.ts';

const point = (id: string) => ({
  id,
  carrier: 'electricity',
  quantity: 'active-energy-import',
  unit: 'kWh',
  accuracyClass: 1,
  calibration: { certificate: `${id}-cal`, validFrom: '2024-01-01', validUntil: '2030-12-31' },
  topology: { role: 'boundary-input' },
});

/** A valid enterprise registry entry: one site, and per device one metering point of its own (`<device>-p0`). */
export function enterpriseJson(id: string, devices: string[] = [`${id}-d0`], over: Record<string, unknown> = {}): EnterpriseJson {
  return {
    id,
    name: `Enterprise ${id}`,
    region: 'CN-CQ',
    gridRegion: 'southwest',
    timeZone: 'Asia/Shanghai',
    factorSet: { name: 'cn-2023', version: '1.0.0' },
    scope2Level: 'provincial',
    sites: [{ id: `${id}-s0`, name: 'Main site', meteringPoints: devices.map((d) => point(`${d}-p0`)) }],
    devices: devices.map((d) => ({ id: d, kind: 'meter', meteringPoints: [`${d}-p0`] })),
    ...over,
  };
}

/** The entry an upload makes (version after `current`), at a given time. */
export function entry(enterprise: EnterpriseJson, current?: RegistryEntryV1, uploadedAt = new Date('2026-11-27T08:00:00Z')): RegistryEntryV1 {
  const next = nextEntry(current, enterprise, 'test', uploadedAt);
  if (!next.changed) throw new Error(`enterprise ${enterprise.id} unchanged`);
  return next.entry;
}

/** A registry source and what it reported, to wait on without clocks. */
export interface Observed {
  source: TopicRegistrySource;
  rejected: RegistryRecordRejected[];
  applied: RegistryEntryApplied[];
  /** Resolves once the condition holds, checked now and after every applied or rejected record. */
  until(condition: () => boolean): Promise<void>;
}

export async function observeSource(consumer: BusConsumer, lagPollMs = 1): Promise<Observed> {
  const rejected: RegistryRecordRejected[] = [];
  const applied: RegistryEntryApplied[] = [];
  let waiters: { condition: () => boolean; resolve: () => void }[] = [];
  const check = () => {
    const met = waiters.filter((w) => w.condition());
    waiters = waiters.filter((w) => !met.includes(w));
    for (const w of met) w.resolve();
  };
  const source = await startTopicRegistrySource({
    consumer,
    onRejected: (r) => {
      rejected.push(r);
      check();
    },
    onApplied: (c) => {
      applied.push(c);
      check();
    },
    lagPollMs,
  });
  return {
    source,
    rejected,
    applied,
    until: (condition) => (condition() ? Promise.resolve() : new Promise((resolve) => waiters.push({ condition, resolve }))),
  };
}

/** Until the source applied this version of the enterprise's entry (null: its removal). */
export const reached = (o: Observed, enterpriseId: string, version: number | null) =>
  o.until(() => o.applied.some((c) => c.enterpriseId === enterpriseId && (version === null ? c.entry === null : c.entry?.version === version)));

export const rejections = (o: Observed, reason: RegistryRecordRejected['reason'], count = 1) => o.until(() => o.rejected.filter((r) => r.reason === reason).length >= count);
