import { expect, it } from 'vitest';
import type { AlertV1 } from '@meterline/contracts';
import type { AlertRecord } from '@meterline/series';
import type { Transition } from '../src/alert-lifecycle.ts';
import type { SilenceSetting, Subscription } from '../src/alerting-config.ts';
import { dueNotices, MAX_ALERTS_PER_NOTIFICATION, notificationsFor } from '../src/notifications.ts';

const at = Date.parse('2026-11-27T08:00:00Z');
const MIN = 60_000;
const alert = (point: string, over: Partial<AlertV1> = {}): AlertV1 => ({
  alertId: `id-${point}`,
  dedupKey: `e1/meter-offline/point=${point},site=s1`,
  enterpriseId: 'e1',
  rule: 'meter-offline',
  severity: 'critical',
  subject: { site: 's1', point },
  status: 'firing',
  startsAt: new Date(at).toISOString(),
  summary: `${point} silent`,
  ...over,
});
const subscription = (over: Partial<Subscription> = {}): Subscription => ({
  id: 'sub-a',
  enterpriseId: 'e1',
  url: 'http://127.0.0.1:1/hook',
  secret: 'a-secret-of-16-chars',
  format: 'meterline',
  rules: undefined,
  minSeverity: 'info',
  rateLimit: { perMinute: 6, burst: 3 },
  ...over,
});
const fired = (alerts: AlertV1[]) => {
  const records = new Map<string, AlertRecord>(alerts.map((a) => [a.dedupKey, { alert: a, asOfMs: at }]));
  const transitions: Transition[] = alerts.map((a) => ({ kind: 'fired', record: records.get(a.dedupKey)! }));
  return { records, transitions };
};
const silence = (over: Partial<SilenceSetting> = {}): SilenceSetting => ({
  id: 'sil-1',
  enterpriseId: 'e1',
  endsAt: new Date(at + 30 * MIN).toISOString(),
  comment: 'maintenance',
  createdBy: 'ops',
  ...over,
});

it('groups a thousand alerts of one rule into a few notifications per subscriber, with stable ids', () => {
  const alerts = Array.from({ length: 1_000 }, (_, i) => alert(`p${String(i).padStart(4, '0')}`));
  const { records, transitions } = fired(alerts);
  const notices = dueNotices({ records, transitions, atMs: at, tick: true, repeatIntervalMs: 240 * MIN, silences: [], changed: new Set() });
  const make = () => notificationsFor({ enterpriseId: 'e1', notices, subscriptions: [subscription(), subscription({ id: 'sub-b' })], atMs: at });
  const notifications = make();
  expect(notifications).toHaveLength(2 * Math.ceil(1_000 / MAX_ALERTS_PER_NOTIFICATION));
  expect(notifications.filter((n) => n.subscriptionId === 'sub-a').flatMap((n) => n.alerts.map((a) => a.alertId)).sort()).toEqual(alerts.map((a) => a.alertId).sort());
  expect(new Set(notifications.map((n) => n.notificationId)).size).toBe(notifications.length);
  expect(make().map((n) => n.notificationId)).toEqual(notifications.map((n) => n.notificationId));
  expect([...records.values()].every((r) => r.lastNotifiedMs === at)).toBe(true);
});

it('sends a subscriber only the rules and severities it asked for', () => {
  const { records, transitions } = fired([alert('p1'), alert('p2', { rule: 'calibration-expiring', severity: 'info', dedupKey: 'e1/calibration-expiring/p2' })]);
  const notices = dueNotices({ records, transitions, atMs: at, tick: false, repeatIntervalMs: 240 * MIN, silences: [], changed: new Set() });
  const only = (s: Partial<Subscription>) => notificationsFor({ enterpriseId: 'e1', notices, subscriptions: [subscription(s)], atMs: at }).map((n) => n.rule);
  expect(only({ minSeverity: 'warning' })).toEqual(['meter-offline']);
  expect(only({ rules: ['calibration-expiring'] })).toEqual(['calibration-expiring']);
  expect(only({}).sort()).toEqual(['calibration-expiring', 'meter-offline']);
});

it('holds a silenced alert back, and announces it at the first tick after the silence ends', () => {
  const { records, transitions } = fired([alert('p1'), alert('p2')]);
  const silences = [silence({ subject: { point: 'p1' } })];
  const first = dueNotices({ records, transitions, atMs: at, tick: true, repeatIntervalMs: 240 * MIN, silences, changed: new Set() });
  expect(first.map((n) => n.alert.subject.point)).toEqual(['p2']);
  expect(dueNotices({ records, transitions: [], atMs: at + 29 * MIN, tick: true, repeatIntervalMs: 240 * MIN, silences, changed: new Set() })).toEqual([]);
  const after = dueNotices({ records, transitions: [], atMs: at + 30 * MIN, tick: true, repeatIntervalMs: 240 * MIN, silences, changed: new Set() });
  expect(after.map((n) => [n.alert.subject.point, n.repeat])).toEqual([['p1', true]]);
});

it('repeats a firing alert after the repeat interval, and announces a close only for an alert whose opening was announced', () => {
  const { records, transitions } = fired([alert('p1'), alert('p2')]);
  dueNotices({ records, transitions, atMs: at, tick: true, repeatIntervalMs: 60 * MIN, silences: [silence({ subject: { point: 'p2' } })], changed: new Set() });
  expect(dueNotices({ records, transitions: [], atMs: at + 59 * MIN, tick: true, repeatIntervalMs: 60 * MIN, silences: [silence({ subject: { point: 'p2' }, endsAt: new Date(at + 120 * MIN).toISOString() })], changed: new Set() })).toEqual([]);
  const resolved = ['p1', 'p2'].map((p) => {
    const record = records.get(`e1/meter-offline/point=${p},site=s1`)!;
    const closed: AlertRecord = { ...record, alert: { ...record.alert, status: 'resolved', endsAt: new Date(at + 61 * MIN).toISOString() } };
    records.set(closed.alert.dedupKey, closed);
    return { kind: 'resolved' as const, record: closed };
  });
  const notices = dueNotices({ records, transitions: resolved, atMs: at + 61 * MIN, tick: true, repeatIntervalMs: 60 * MIN, silences: [], changed: new Set() });
  expect(notices.map((n) => [n.alert.subject.point, n.alert.status])).toEqual([['p1', 'resolved']]);
});

it('issues a notification judged again (its batch redelivered, later ticks with it) the same byte for byte: the issue time comes from what it announces, not the clock', () => {
  const alerts = [alert('p1', { startsAt: new Date(at - 90 * MIN).toISOString() }), alert('p2', { startsAt: new Date(at - 30 * MIN).toISOString() })];
  const judged = (atMs: number) => {
    const { records, transitions } = fired(alerts);
    const notices = dueNotices({ records, transitions, atMs, tick: true, repeatIntervalMs: 240 * MIN, silences: [], changed: new Set() });
    return notificationsFor({ enterpriseId: 'e1', notices, subscriptions: [subscription()], atMs });
  };
  const first = judged(at);
  expect(first.map((n) => n.createdAt)).toEqual([new Date(at - 30 * MIN).toISOString()]);
  expect(judged(at + 5 * MIN)).toEqual(first);

  // A repeat is issued at the tick that repeats it, which its id holds too.
  const { records, transitions } = fired(alerts);
  dueNotices({ records, transitions, atMs: at, tick: true, repeatIntervalMs: 60 * MIN, silences: [], changed: new Set() });
  const repeated = dueNotices({ records, transitions: [], atMs: at + 60 * MIN, tick: true, repeatIntervalMs: 60 * MIN, silences: [], changed: new Set() });
  const [repeat] = notificationsFor({ enterpriseId: 'e1', notices: repeated, subscriptions: [subscription()], atMs: at + 60 * MIN });
  expect(repeat).toMatchObject({ repeat: true, createdAt: new Date(at + 60 * MIN).toISOString() });
  expect(repeat!.notificationId).not.toBe(first[0]!.notificationId);

  // A resolved one when the latest of its alerts ended.
  const ended = alerts.map((a, i) => ({ ...a, status: 'resolved' as const, endsAt: new Date(at + (i + 1) * MIN).toISOString() }));
  const closed = notificationsFor({ enterpriseId: 'e1', notices: ended.map((a) => ({ alert: a, repeat: false })), subscriptions: [subscription()], atMs: at + 10 * MIN });
  expect(closed.map((n) => n.createdAt)).toEqual([new Date(at + 2 * MIN).toISOString()]);
});
