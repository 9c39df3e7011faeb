import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { InMemoryBus, type BusMessage } from '@meterline/bus';
import { ALERTING_CHANGE_HEADERS, ALERTING_CHANGE_SCHEMA_ID, alertingChangeKey, type AlertingChangeV1, type AlertingKind } from '@meterline/contracts';
import { alertingTopicGroupId, overlayAlerting, startAlertingTopicReader, type AlertingRecordRejected, type AlertingSettings, type AlertingSubscription, type AlertingTopicReader } from '../src/alerting-topic.ts';

const TOPIC = 'meterline.alerting.v1';
const AT = '2026-11-27T08:00:00.000Z';

const subscriptionChange = (id: string, enterpriseId: string, over: Partial<Extract<AlertingChangeV1, { kind: 'subscription' }>['subscription']> = {}): AlertingChangeV1 => ({
  v: 1,
  kind: 'subscription',
  subscription: {
    id,
    enterpriseId,
    url: `https://hooks.example.com/${id}`,
    secret: `secret-of-${id}-0123456789abcdef`,
    format: 'meterline',
    minSeverity: 'info',
    rateLimit: { perMinute: 6, burst: 3 },
    createdAt: AT,
    ...over,
  },
  changedAt: AT,
  changedBy: 'ops-admin',
});

const silenceChange = (id: string, enterpriseId: string, endsAt = '2026-12-01T08:00:00+08:00'): AlertingChangeV1 => ({
  v: 1,
  kind: 'silence',
  silence: { id, enterpriseId, rules: ['meter-offline'], endsAt, comment: 'maintenance', createdBy: 'e1-energy', createdAt: AT },
  changedAt: AT,
  changedBy: 'e1-energy',
});

/** A record as the API writes it: keyed by kind and id, with a write id; null: deleted (an empty value). */
function record(kind: AlertingKind, id: string, change: AlertingChangeV1 | null, writeId = randomUUID()): BusMessage {
  return {
    key: alertingChangeKey(kind, id),
    value: change === null ? Buffer.alloc(0) : Buffer.from(JSON.stringify(change)),
    headers: { [ALERTING_CHANGE_HEADERS.schema]: ALERTING_CHANGE_SCHEMA_ID, [ALERTING_CHANGE_HEADERS.writeId]: writeId },
  };
}

/**
 * The alerter's alerting file as it parses this one (its defaults filled in):
 *   defaults: { repeatIntervalMinutes: 60 }
 *   subscriptions: file-e1 and shared of e1; silences: file-quiet of e1.
 */
function fileConfig(): AlertingSettings<{ repeatIntervalMinutes: number }> {
  const fileSubscription = (id: string, url: string): AlertingSubscription => ({
    id,
    enterpriseId: 'e1',
    url,
    secret: 'file-secret-0123456789',
    format: 'meterline',
    rules: undefined,
    minSeverity: 'info',
    rateLimit: { perMinute: 6, burst: 3 },
  });
  const subscriptions = [fileSubscription('file-e1', 'https://file.example.com/e1'), fileSubscription('shared', 'https://file.example.com/shared')];
  const silences = [{ id: 'file-quiet', enterpriseId: 'e1', endsAt: '2026-12-01T00:00:00Z', comment: 'from the file', createdBy: 'ops' }];
  return {
    rulesFor: () => ({ repeatIntervalMinutes: 60 }),
    subscriptionsOf: (enterpriseId) => subscriptions.filter((s) => s.enterpriseId === enterpriseId),
    subscription: (id) => subscriptions.find((s) => s.id === id),
    silencesOf: (enterpriseId) => silences.filter((s) => s.enterpriseId === enterpriseId),
  };
}

const readers: AlertingTopicReader[] = [];
afterEach(async () => {
  await Promise.all(readers.splice(0).map((r) => r.close()));
});

async function reader(bus: InMemoryBus, rejected: AlertingRecordRejected[] = []) {
  const r = await startAlertingTopicReader({
    consumer: bus.consumer({ groupId: alertingTopicGroupId('test'), topics: [TOPIC], fromBeginning: true }),
    onRejected: (x) => rejected.push(x),
    lagPollMs: 1,
  });
  readers.push(r);
  return r;
}

/** Sends records and waits until the reader has read every one (they may be on different partitions). */
async function send(bus: InMemoryBus, r: AlertingTopicReader, ...messages: BusMessage[]) {
  await bus.producer().send(TOPIC, messages);
  await Promise.all(messages.map((m) => r.sawWrite(m.headers![ALERTING_CHANGE_HEADERS.writeId]!)));
}

describe('the alerting topic reader', () => {
  it('reads the whole topic from its start, then keeps reading: newest value per key, an empty value deletes', async () => {
    const bus = new InMemoryBus();
    await bus.producer().send(TOPIC, [
      record('subscription', 's1', subscriptionChange('s1', 'e1')),
      record('subscription', 's2', subscriptionChange('s2', 'e2')),
      record('silence', 'q1', silenceChange('q1', 'e1')),
      record('subscription', 's1', subscriptionChange('s1', 'e1', { url: 'https://hooks.example.com/moved' })),
      record('subscription', 's2', null),
    ]);
    const r = await reader(bus);
    await r.caughtUp();
    expect(r.isCaughtUp()).toBe(true);
    expect([...r.subscriptions().keys()]).toEqual(['s1']);
    expect(r.subscriptions().get('s1')?.subscription.url).toBe('https://hooks.example.com/moved');
    expect([...r.silences().keys()]).toEqual(['q1']);

    await send(bus, r, record('silence', 'q2', silenceChange('q2', 'e2')), record('silence', 'q1', null));
    expect([...r.silences().keys()]).toEqual(['q2']);
  });

  it('catches up at once on an empty topic', async () => {
    const r = await reader(new InMemoryBus());
    await r.caughtUp();
    expect(r.isCaughtUp()).toBe(true);
    expect(r.subscriptions().size + r.silences().size).toBe(0);
  });

  it('reports and skips a record that is not an alerting change, keeping the value before it, and reads on', async () => {
    const bus = new InMemoryBus();
    const rejected: AlertingRecordRejected[] = [];
    const r = await reader(bus, rejected);
    await send(bus, r, record('subscription', 's1', subscriptionChange('s1', 'e1')));
    const bad: BusMessage[] = [
      { ...record('subscription', 's1', null), value: Buffer.from('{not json') },
      // The key names s1, the value carries s9.
      record('subscription', 's1', subscriptionChange('s9', 'e1')),
      // The key says silence, the value is a subscription.
      record('silence', 's1', subscriptionChange('s1', 'e1')),
      { ...record('subscription', 's1', subscriptionChange('s1', 'e1')), key: 'webhook/s1' },
      { ...record('subscription', 's1', subscriptionChange('s1', 'e1')), key: null },
      record('subscription', 's1', subscriptionChange('s1', 'e1', { secret: 'short' })),
    ];
    await send(bus, r, ...bad, record('silence', 'q1', silenceChange('q1', 'e1')));
    // Records of other keys may be on other partitions: their order is not the order sent.
    expect(rejected.map((x) => x.detail)).toHaveLength(bad.length);
    expect(rejected.map((x) => x.detail)).toEqual(expect.arrayContaining([
      expect.stringContaining('not JSON'),
      expect.stringContaining('does not name the subscription s9'),
      expect.stringContaining('does not name the subscription s1'),
      expect.stringContaining('"webhook/s1" is not subscription/<id> or silence/<id>'),
      expect.stringContaining('null is not'),
      expect.stringContaining('/subscription/secret'),
    ]));
    expect(rejected.every((x) => x.topic === TOPIC && x.offset !== '')).toBe(true);
    expect(r.subscriptions().get('s1')?.subscription.url).toBe('https://hooks.example.com/s1');
    expect([...r.silences().keys()]).toEqual(['q1']);
  });

  it('tells a writer when its write has been read, also when it asks afterwards', async () => {
    const bus = new InMemoryBus();
    const r = await reader(bus);
    const writeId = randomUUID();
    const seen = r.sawWrite(writeId);
    await bus.producer().send(TOPIC, [record('subscription', 's1', subscriptionChange('s1', 'e1'), writeId)]);
    await seen;
    expect(r.subscriptions().has('s1')).toBe(true);
    await r.sawWrite(writeId);
  });

  it('gives every reader, each in its own group, the whole topic', async () => {
    const bus = new InMemoryBus();
    await bus.producer().send(TOPIC, [record('subscription', 's1', subscriptionChange('s1', 'e1')), record('silence', 'q1', silenceChange('q1', 'e1'))]);
    const first = await reader(bus);
    const second = await reader(bus);
    await Promise.all([first.caughtUp(), second.caughtUp()]);
    for (const r of [first, second]) {
      expect([...r.subscriptions().keys()]).toEqual(['s1']);
      expect([...r.silences().keys()]).toEqual(['q1']);
    }
  });

  it('fails a pending wait when it closes', async () => {
    const r = await reader(new InMemoryBus());
    const waiting = r.sawWrite(randomUUID());
    await r.close();
    await expect(waiting).rejects.toThrow(/closed/);
    await expect(r.sawWrite(randomUUID())).rejects.toThrow(/closed/);
  });
});

describe('overlayAlerting', () => {
  it('adds the topic’s subscriptions and silences to the file’s and replaces the file’s of the same id', async () => {
    const bus = new InMemoryBus();
    const r = await reader(bus);
    await send(
      bus,
      r,
      record('subscription', 'api-e1', subscriptionChange('api-e1', 'e1', { previousSecret: 'previous-secret-0123456789', rules: ['meter-offline'], minSeverity: 'warning' })),
      record('subscription', 'shared', subscriptionChange('shared', 'e1', { url: 'https://hooks.example.com/replaced', format: 'alertmanager' })),
      record('subscription', 'api-e2', subscriptionChange('api-e2', 'e2')),
      record('silence', 'api-quiet', silenceChange('api-quiet', 'e1')),
    );
    const config = overlayAlerting(fileConfig(), r);
    expect(config.subscriptionsOf('e1').map((s) => [s.id, s.url])).toEqual([
      ['file-e1', 'https://file.example.com/e1'],
      ['api-e1', 'https://hooks.example.com/api-e1'],
      ['shared', 'https://hooks.example.com/replaced'],
    ]);
    expect(config.subscription('api-e1')).toEqual({
      id: 'api-e1',
      enterpriseId: 'e1',
      url: 'https://hooks.example.com/api-e1',
      secret: 'secret-of-api-e1-0123456789abcdef',
      previousSecret: 'previous-secret-0123456789',
      format: 'meterline',
      rules: ['meter-offline'],
      minSeverity: 'warning',
      rateLimit: { perMinute: 6, burst: 3 },
    });
    expect(config.subscription('shared')?.format).toBe('alertmanager');
    expect(config.subscription('file-e1')?.url).toBe('https://file.example.com/e1');
    expect(config.subscriptionsOf('e2').map((s) => s.id)).toEqual(['api-e2']);
    expect(config.silencesOf('e1').map((s) => s.id)).toEqual(['file-quiet', 'api-quiet']);
    expect(config.silencesOf('e1')[1]).toEqual({ id: 'api-quiet', enterpriseId: 'e1', rules: ['meter-offline'], endsAt: '2026-12-01T08:00:00+08:00', comment: 'maintenance', createdBy: 'e1-energy' });
    expect(config.rulesFor('e1').repeatIntervalMinutes).toBe(60);
  });

  it('follows the topic after it was made: a deletion removes the topic’s entry and brings back the file’s', async () => {
    const bus = new InMemoryBus();
    const r = await reader(bus);
    const config = overlayAlerting(fileConfig(), r);
    await send(bus, r, record('subscription', 'shared', subscriptionChange('shared', 'e1', { url: 'https://hooks.example.com/replaced' })), record('silence', 'api-quiet', silenceChange('api-quiet', 'e1')));
    expect(config.subscription('shared')?.url).toBe('https://hooks.example.com/replaced');
    expect(config.silencesOf('e1').map((s) => s.id)).toEqual(['file-quiet', 'api-quiet']);

    await send(bus, r, record('subscription', 'shared', null), record('silence', 'api-quiet', null), record('silence', 'file-quiet', null));
    expect(config.subscription('shared')?.url).toBe('https://file.example.com/shared');
    expect(config.subscriptionsOf('e1').map((s) => s.id)).toEqual(['file-e1', 'shared']);
    // A deletion on the topic does not reach into the file.
    expect(config.silencesOf('e1').map((s) => s.id)).toEqual(['file-quiet']);
  });
});
