import { calendarPeriod, type Enterprise } from '@meterline/domain';
import type { EnterpriseRules } from '../alerting-config.ts';
import type { Condition } from './condition.ts';

const DAY_MS = 86_400_000;
/** Certificates share few end dates: each (date, zone) is turned into an instant once. */
const endOfValidity = new Map<string, number>();

function validityEnd(validUntil: string, timeZone: string): number {
  const key = `${validUntil}|${timeZone}`;
  let end = endOfValidity.get(key);
  if (end === undefined) {
    if (endOfValidity.size > 10_000) endOfValidity.clear();
    endOfValidity.set(key, (end = calendarPeriod(validUntil, timeZone).end));
  }
  return end;
}

/**
 * Calibration validity from the meter's certificate: a certificate valid until a
 * date covers that whole local day, so it ends at the next local midnight. Within the lead
 * time before that the calibration is expiring; from then on it has expired.
 */
export function calibration(enterprise: Enterprise, tickMs: number, settings: EnterpriseRules['calibration']): Condition[] {
  const leadMs = settings.leadDays * DAY_MS;
  const out: Condition[] = [];
  for (const site of enterprise.sites) {
    for (const point of site.meteringPoints) {
      const { certificate, validUntil } = point.calibration;
      const endMs = validityEnd(validUntil, enterprise.timeZone);
      const expired = tickMs >= endMs;
      const expiring = !expired && endMs - tickMs <= leadMs;
      const daysLeft = Math.ceil((endMs - tickMs) / DAY_MS);
      const subject = { site: site.id, point: point.id };
      out.push({
        rule: 'calibration-expiring',
        subject,
        holds: expiring,
        sinceMs: endMs - leadMs,
        asOfMs: tickMs,
        summary: `calibration of ${point.id} (certificate ${certificate}) valid until ${validUntil}: ${daysLeft} day(s) left`,
        value: daysLeft,
        threshold: settings.leadDays,
        unit: 'd',
      });
      out.push({
        rule: 'calibration-expired',
        subject,
        holds: expired,
        sinceMs: endMs,
        asOfMs: tickMs,
        summary: `calibration of ${point.id} (certificate ${certificate}) expired after ${validUntil}: its readings are outside calibration validity`,
      });
    }
  }
  return out;
}
