import { describe, expect, it } from 'vitest';
import type { AlertingChangeV1 } from '@meterline/contracts';
import { alertingDirectory } from '../src/alerting/alerting-directory.ts';
import type { AlertingWriter } from '../src/alerting/alerting-writer.ts';
import { SEEDED_ALERTING } from './fixtures.ts';

type SubscriptionChange = Extract<AlertingChangeV1, { kind: 'subscription' }>;
type SilenceChange = Extract<AlertingChangeV1, { kind: 'silence' }>;

/** A reader of our own interface: the test says when it has caught up and whether a write comes back. */
function stubReader(options: { writesComeBack: boolean }) {
  let caughtUp = false;
  let resolveCaughtUp: () => void = () => undefined;
  const whenCaughtUp = new Promise<void>((resolve) => (resolveCaughtUp = resolve));
  return {
    subscriptions: () => new Map(SEEDED_ALERTING.filter((c): c is SubscriptionChange => c.kind === 'subscription').map((c) => [c.subscription.id, c])),
    silences: () => new Map(SEEDED_ALERTING.filter((c): c is SilenceChange => c.kind === 'silence').map((c) => [c.silence.id, c])),
    caughtUp: () => whenCaughtUp,
    isCaughtUp: () => caughtUp,
    sawWrite: () => (options.writesComeBack ? Promise.resolve() : new Promise<void>(() => undefined)),
    catchUp() {
      caughtUp = true;
      resolveCaughtUp();
    },
  };
}

const writer: AlertingWriter = { put: () => Promise.resolve('w1'), remove: () => Promise.resolve('w2')};

describe('the alerting directory', () => {
  it('waits for its reader to read the whole topic after a start, rather than show part of it', async () => {
    const reader = stubReader({ writesComeBack: true });
    const directory = alertingDirectory({ reader, writer });
    expect(directory.ready()).toBe(false);
    const listed = directory.subscriptions('ent-a');
    reader.catchUp();
    expect((await listed).map((c) => c.subscription.id)).toEqual(['a-hook']);
    expect(directory.ready()).toBe(true);
  });

  it('refuses with a retryable 503 when its reader has not caught up in time', async () => {
    const directory = alertingDirectory({ reader: stubReader({ writesComeBack: true }), writer, visibleWithinMs: 1 });
    await expect(directory.silence('ent-a', 'a-quiet')).rejects.toMatchObject({ code: 'MTL_API_ALERTING_UNAVAILABLE', canRetry: true, status: 503 });
    await expect(directory.remove('subscription', 'a-hook')).rejects.toMatchObject({ code: 'MTL_API_ALERTING_UNAVAILABLE' });
  });

  it('shows an enterprise its own entities only, whatever id is asked', async () => {
    const reader = stubReader({ writesComeBack: true });
    reader.catchUp();
    const directory = alertingDirectory({ reader, writer });
    expect(await directory.subscription('ent-a', 'b-hook')).toBeUndefined();
    expect((await directory.silence('ent-b', 'b-quiet'))?.silence.comment).toContain('Bravo');
    expect(await directory.silence('ent-a', 'b-quiet')).toBeUndefined();
    expect((await directory.silences('ent-a')).map((c) => c.silence.id)).toEqual(['a-quiet']);
  });

  it('says so when a durable write has not come back to its reader in time', async () => {
    const slowReader = stubReader({ writesComeBack: false });
    slowReader.catchUp();
    expect(await alertingDirectory({ reader: slowReader, writer, visibleWithinMs: 1 }).remove('silence', 'a-quiet')).toBe(false);
    const promptReader = stubReader({ writesComeBack: true });
    promptReader.catchUp();
    expect(await alertingDirectory({ reader: promptReader, writer }).remove('silence', 'a-quiet')).toBe(true);
  });

  it('passes on a failure that is not the topic’s (a bug) as it is, not as a 503', async () => {
    const reader = stubReader({ writesComeBack: true });
    reader.catchUp();
    const broken: AlertingWriter = { put: () => Promise.reject(new TypeError('not meterline.alerting-change.v1')), remove: () => Promise.resolve('w')};
    await expect(alertingDirectory({ reader, writer: broken }).put(SEEDED_ALERTING[0]!)).rejects.toThrow(TypeError);
  });
});
