import type { Enterprise } from '@meterline/domain';
import type { DeviceReport } from '@meterline/series';
import type { EnterpriseRules } from '../alerting-config.ts';
import { iso, type Condition } from './condition.ts';
import { appendTo } from '../append-to.ts';

export interface LivenessInput {
  enterprise: Enterprise;
  /** Per metering point, the timestamp of its newest reading seen on the readings topic. */
  lastReadingMs: ReadonlyMap<string, number>;
  /** Per device, its last status (the last will says offline). */
  devices: ReadonlyMap<string, DeviceReport>;
  /** Since when the alerter has watched this enterprise: a point never heard from gets this much grace. */
  watchingSinceMs: number;
  tickMs: number;
  settings: EnterpriseRules['meterOffline'];
}

/**
 * A point is offline when no reading newer than `afterMinutes` has been seen, or when a
 * device reporting it said `offline` (its last will) and no reading came after that.
 */
export function meterOffline(input: LivenessInput): Condition[] {
  const afterMs = input.settings.afterMinutes * 60_000;
  const devicesOf = new Map<string, string[]>();
  for (const device of input.enterprise.devices) for (const point of device.meteringPoints) appendTo(devicesOf, point, device.id);
  const out: Condition[] = [];
  for (const site of input.enterprise.sites) {
    for (const point of site.meteringPoints) {
      const last = input.lastReadingMs.get(point.id);
      const silentSince = last ?? input.watchingSinceMs;
      const overdueAt = silentSince + afterMs;
      const will = (devicesOf.get(point.id) ?? [])
        .map((id) => ({ id, report: input.devices.get(id) }))
        .find(({ report }) => report?.state === 'offline' && (last === undefined || last < report.atMs));
      const byAbsence = input.tickMs >= overdueAt;
      const holds = byAbsence || will !== undefined;
      const sinceMs = Math.min(byAbsence ? overdueAt : Infinity, will?.report ? will.report.atMs : Infinity);
      const silentMinutes = Math.max(0, Math.floor((input.tickMs - silentSince) / 60_000));
      const summary = will
        ? `device ${will.id} went offline at ${iso(will.report!.atMs)} (its last will); no reading from ${point.id} since ${last === undefined ? 'the alerter started' : iso(last)}`
        : `no reading from ${point.id} for ${silentMinutes} min (last ${last === undefined ? 'never seen' : iso(last)}; limit ${input.settings.afterMinutes} min)`;
      out.push({
        rule: 'meter-offline',
        subject: { site: site.id, point: point.id },
        holds,
        sinceMs: holds ? sinceMs : input.tickMs,
        asOfMs: input.tickMs,
        summary,
        value: silentMinutes,
        threshold: input.settings.afterMinutes,
        unit: 'min',
      });
    }
  }
  return out;
}
