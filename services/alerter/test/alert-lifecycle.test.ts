import { expect, it } from 'vitest';
import { alertId, applyCondition, dedupKey, type AlertRecord } from '../src/alert-lifecycle.ts';
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
  const kinds = [coverage(0, true), coverage(1, true, 40), coverage(1, true, 40), coverage(2, false), coverage(3, false)].map(
    (c) => applyCondition(records, 'e1', c, 'warning')?.kind,
  );
  expect(kinds).toEqual(['fired', undefined, undefined, 'resolved', undefined]);
  const record = records.get(dedupKey('e1', 'low-coverage', { point: 'p1', site: 's1' }))!;
  expect(record.alert).toMatchObject({
    status: 'resolved',
    startsAt: '2026-11-27T00:00:00.000Z',
    endsAt: '2026-11-27T03:00:00.000Z',
    // The value of the finding that closed it.
    value: 100,
    alertId: alertId('e1/low-coverage/point=p1,site=s1', t0),
  });
});

it('names the same episode alike whatever the order of subject members, and a new episode differently', () => {
  expect(dedupKey('e1', 'meter-offline', { site: 's', point: 'p' })).toBe(dedupKey('e1', 'meter-offline', { point: 'p', site: 's' }));
  const records = new Map<string, AlertRecord>();
  const first = applyCondition(records, 'e1', coverage(0, true), 'warning')!.record.alert.alertId;
  applyCondition(records, 'e1', coverage(1, false), 'warning');
  const second = applyCondition(records, 'e1', coverage(5, true), 'warning')!.record.alert.alertId;
  expect(second).not.toBe(first);
});

it('ignores a finding about older data than the alert reflects (a restated past period)', () => {
  const records = new Map<string, AlertRecord>();
  applyCondition(records, 'e1', coverage(4, true), 'warning');
  expect(applyCondition(records, 'e1', coverage(2, false), 'warning')).toBeUndefined();
  applyCondition(records, 'e1', coverage(5, false), 'warning');
  expect(applyCondition(records, 'e1', coverage(3, true), 'warning')).toBeUndefined();
  expect([...records.values()][0]!.alert.status).toBe('resolved');
});
