import { getEventListeners } from 'node:events';
import { describe, expect, it } from 'vitest';
import type { ConsumedBatch } from '@meterline/bus';
import { DeliveryAbandonedError } from '../../src/delivery/index.ts';
import { holdBatchFor, systemClock } from '../../src/delivery/hold.ts';

describe('holding a batch in real time', () => {
  it('leaves no abort listener behind on a long-lived signal, however many waits it made', async () => {
    const closing = new AbortController();
    for (let i = 0; i < 25; i++) await systemClock.sleep(1, closing.signal);
    expect(getEventListeners(closing.signal, 'abort')).toHaveLength(0);
  });

  it('ends a wait as soon as the signal aborts', async () => {
    const closing = new AbortController();
    let heartbeats = 0;
    const batch: ConsumedBatch = { topic: 't', partition: 0, messages: [], heartbeat: () => { heartbeats++; return Promise.resolve(); }, isActive: () => true };
    const held = holdBatchFor(3_600_000, batch, closing.signal, systemClock, 1_800_000);
    closing.abort();
    await expect(held).rejects.toBeInstanceOf(DeliveryAbandonedError);
    expect(heartbeats).toBe(0);
    expect(getEventListeners(closing.signal, 'abort')).toHaveLength(0);
  });
});
