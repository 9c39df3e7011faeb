import { describe, expect, it } from 'vitest';
import { InMemoryBus, type BusProducer } from '@meterline/bus';
import { ALERTING_CHANGE_SCHEMA_ID, decodeAlertingRecord, type AlertingChangeV1 } from '@meterline/contracts';
import { AlertingWriteError, topicAlertingWriter } from '../src/alerting/alerting-writer.ts';
import { ALERTING_TOPIC, SEEDED_ALERTING } from './fixtures.ts';

describe('the alerting topic writer', () => {
  it('writes a change under its key with the schema and a write id, and a deletion as an empty value', async () => {
    const bus = new InMemoryBus();
    const writer = topicAlertingWriter(bus.producer(), ALERTING_TOPIC);
    const change = SEEDED_ALERTING[0]!;
    const put = await writer.put(change);
    const removed = await writer.remove('silence', 'a-quiet');
    const [first, second] = bus.messagesOf(ALERTING_TOPIC).sort((a, b) => (a.key! < b.key! ? 1 : -1));
    expect(first).toMatchObject({ key: 'subscription/a-hook', headers: { schema: ALERTING_CHANGE_SCHEMA_ID, 'write-id': put } });
    expect(decodeAlertingRecord(first!.key, first!.value)).toEqual({ ok: true, kind: 'subscription', id: 'a-hook', change });
    expect(second).toMatchObject({ key: 'silence/a-quiet', headers: { 'write-id': removed } });
    expect(decodeAlertingRecord(second!.key, second!.value)).toEqual({ ok: true, kind: 'silence', id: 'a-quiet', change: null });
    expect(put).not.toBe(removed);
  });

  it('sends nothing a reader would skip', async () => {
    const bus = new InMemoryBus();
    const writer = topicAlertingWriter(bus.producer(), ALERTING_TOPIC);
    const bad = { ...SEEDED_ALERTING[0]!, changedBy: '' } as AlertingChangeV1;
    await expect(writer.put(bad)).rejects.toThrow(/changedBy/);
    expect(bus.messagesOf(ALERTING_TOPIC)).toEqual([]);
  });

  it('reports a failed send as an AlertingWriteError with its cause', async () => {
    const cause = new Error('KafkaJSNumberOfRetriesExceeded');
    const refusing: BusProducer = { send: () => Promise.reject(cause), close: () => Promise.resolve()};
    const failure = await topicAlertingWriter(refusing, ALERTING_TOPIC).remove('subscription', 'a-hook').catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(AlertingWriteError);
    expect(failure).toMatchObject({ code: 'MTL_API_ALERTING_WRITE_FAILED', canRetry: true, cause });
  });
});
