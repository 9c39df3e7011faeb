import { expect, it } from 'vitest';
import type { AlertRecord } from '@meterline/series';
import { alertId, applyCondition, dedupKey } from '../src/alert-lifecycle.ts';
import type { Condition } from '../src/rules/condition.ts';

const HOUR = 3_600_000;
const t0 = Date.parse('2026-11-27T00:00:00Z');
const coverage = (hour: number, holds: boolean, value = holds ? 50 : 100): Condition => ({
  rule: 'low-coverage',
  subject: { site: 's1', point: 'p1' },
  holds,
  sinceMs: t0 + hour * HOUR,
  asOfMs: t0 + (hour + 1) * HOUR,
  summary: `hour ${hour}`,
  value,
  threshold: 90,
  unit: '%',
});

it('opens one alert for a subject however often the condition is found, and closes it once', () => {
  const records = new Map<string, AlertRecord>();
  const writes: number[] = [];
  const kinds = [coverage(0, true), coverage(1, true, 40), coverage(1, true, 40), coverage(2, false), coverage(3, false)].map((c) => {
    const changed = new Set<string>();
    const kind = applyCondition(records, 'e1', c, 'warning', changed)?.kind;
    writes.push(changed.size);
    return kind;
  });
  expect(kinds).toEqual(['fired', undefined, undefined, 'resolved', undefined]);
  // Only opening and closing change what is stored; findings that it still holds cost no write.
  expect(writes).toEqual([1, 0, 0, 1, 0]);
  const record = records.get(dedupKey('e1', 'low-coverage', { point: 'p1', site: 's1' }))!;
  expect(record.alert).toMatchObject({
    status: 'resolved',
    startsAt: '2026-11-27T00:00:00.000Z',
    endsAt: '2026-11-27T03:00:00.000Z',
    // The value of the finding that closed it (an open alert keeps the value it opened with).
    value: 100,
    alertId: alertId('e1/low-coverage/point=p1,site=s1', t0),
  });
});

it('names the same episode alike whatever the order of subject members, and a new episode differently', () => {
  expect(dedupKey('e1', 'meter-offline', { site: 's', point: 'p' })).toBe(dedupKey('e1', 'meter-offline', { point: 'p', site: 's' }));
  const records = new Map<string, AlertRecord>();
  const first = applyCondition(records, 'e1', coverage(0, true), 'warning', new Set())!.record.alert.alertId;
  applyCondition(records, 'e1', coverage(1, false), 'warning', new Set());
  const second = applyCondition(records, 'e1', coverage(5, true), 'warning', new Set())!.record.alert.alertId;
  expect(second).not.toBe(first);
});

it('ignores a finding about older data than the alert reflects (a restated past period)', () => {
  const records = new Map<string, AlertRecord>();
  applyCondition(records, 'e1', coverage(4, true), 'warning', new Set());
  expect(applyCondition(records, 'e1', coverage(2, false), 'warning', new Set())).toBeUndefined();
  applyCondition(records, 'e1', coverage(5, false), 'warning', new Set());
  expect(applyCondition(records, 'e1', coverage(3, true), 'warning', new Set())).toBeUndefined();
  expect([...records.values()][0]!.alert.status).toBe('resolved');
});
