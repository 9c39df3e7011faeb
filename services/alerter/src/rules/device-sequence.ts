import type { StoredSequenceEvent } from '@meterline/series';
import type { Enterprise } from '@meterline/domain';
import type { EnterpriseRules } from '../alerting-config.ts';
import { appendTo } from '../append-to.ts';
import type { Condition } from './condition.ts';

export interface DeviceSequenceInput {
  enterprise: Enterprise;
  /** The sequence events of the enterprise's devices within the window before the tick. */
  events: readonly StoredSequenceEvent[];
  tickMs: number;
  settings: EnterpriseRules['deviceSequence'];
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/**
 * A device's alert holds while, within the window, it replayed a seq, reset its counter, or
 * left a gap whose seqs are still missing after the grace (one device's messages may arrive
 * out of order, so a gap filled soon after is no loss).
 */
export function deviceSequence(input: DeviceSequenceInput): Condition[] {
  const { tickMs, settings } = input;
  const fromMs = tickMs - settings.windowMinutes * 60_000;
  const graceEndMs = tickMs - settings.gapGraceSeconds * 1_000;
  const byDevice = new Map<string, StoredSequenceEvent[]>();
  for (const event of input.events) if (event.atMs >= fromMs && event.atMs <= tickMs) appendTo(byDevice, event.deviceId, event);

  return input.enterprise.devices.map((device): Condition => {
    const events = byDevice.get(device.id) ?? [];
    const filled = new Map<number, number>();
    for (const e of events) if (e.kind === 'late' && e.gapAtMs !== undefined) filled.set(e.gapAtMs, (filled.get(e.gapAtMs) ?? 0) + 1);
    const gaps = events
      .filter((e) => e.kind === 'gap' && e.atMs <= graceEndMs)
      .map((e) => ({ atMs: e.atMs, missing: Math.max(0, (e.lost ?? 0) - (filled.get(e.atMs) ?? 0)) }))
      .filter((g) => g.missing > 0);
    const replays = events.filter((e) => e.kind === 'replay');
    const resets = events.filter((e) => e.kind === 'reset');
    const missing = gaps.reduce((n, g) => n + g.missing, 0);
    const found = [...gaps.map((g) => g.atMs), ...replays.map((e) => e.atMs), ...resets.map((e) => e.atMs)];
    const holds = found.length > 0;
    const parts = [
      ...(gaps.length > 0 ? [`${missing} missing (${plural(gaps.length, 'gap')})`] : []),
      ...(replays.length > 0 ? [plural(replays.length, 'replay')] : []),
      ...(resets.length > 0 ? [plural(resets.length, 'reset')] : []),
    ];
    return {
      rule: 'device-sequence',
      subject: { device: device.id },
      holds,
      sinceMs: holds ? Math.min(...found) : tickMs,
      asOfMs: tickMs,
      summary: `device ${device.id}: ${holds ? parts.join(', ') : 'no gap, replay or reset'} in the last ${settings.windowMinutes} min`,
      value: found.length,
      threshold: 0,
      unit: 'events',
    };
  });
}
