import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { trackSequence, type SequenceState } from '@meterline/device-sequence';
import { sequenceEventPoint, sequenceStatePoint } from '@meterline/series';
import { bearer, SECRETS, testApi } from './fixtures.ts';
import type { Page } from '../src/http/pagination.ts';
import type { SequenceEventView } from '../src/routes/device-sequence-routes.ts';

const sha = (text: string) => createHash('sha256').update(text).digest('hex');
const AT = Date.parse('2026-03-05T00:00:00Z');

/** The tracker's state after these seqs (`x` marks other bytes), one second apart. */
function stateAfter(...seqs: (number | string)[]): SequenceState {
  let state: SequenceState | undefined;
  seqs.forEach((s, i) => {
    const seq = Number(String(s).replace('x', ''));
    state = trackSequence(state, { seq, sha256: sha(String(s)), atMs: AT + i * 1_000 }).state;
  });
  return state!;
}

async function seeded() {
  const api = await testApi();
  await api.store.write([
    sequenceStatePoint({ enterpriseId: 'ent-b', deviceId: 'b-gw', state: stateAfter(100, 101, 105, 103, '103x', 0), applied: undefined }),
    sequenceStatePoint({ enterpriseId: 'ent-a', deviceId: 'a-dev', state: stateAfter(7, 8), applied: undefined }),
    sequenceEventPoint('ent-b', 'b-gw', { kind: 'gap', seq: 105, previousSeq: 101, lost: 3 }, { atMs: AT + 2_000, sha256: sha('105') })!,
    sequenceEventPoint('ent-b', 'b-gw', { kind: 'late', seq: 103, gapAtMs: AT + 2_000 }, { atMs: AT + 3_000, sha256: sha('103') })!,
    sequenceEventPoint('ent-b', 'b-gw', { kind: 'replay', seq: 103, previousSeq: 105, remembered: true }, { atMs: AT + 4_000, sha256: sha('103x') })!,
    sequenceEventPoint('ent-b', 'b-gw', { kind: 'reset', seq: 0, previousSeq: 105 }, { atMs: AT + 5_000, sha256: sha('0') })!,
  ]);
  return api;
}

describe('device sequences', () => {
  it('lists the counts of each device of the enterprise, to the keys that may read it', async () => {
    const { app } = await seeded();
    const response = await app.inject({ url: '/v1/enterprises/ent-b/device-sequences', headers: bearer(SECRETS.enterpriseB) });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({
      items: [
        // Seeded by fixtures.ts: one record of seq 7.
        { deviceId: 'b-dev', lastSeq: 7, lastAt: '2026-02-28T16:00:00.000Z', messages: 1, duplicates: 0, gaps: 0, lost: 0, late: 0, missing: 0, replays: 0, resets: 0 },
        // 100, 101, gap over 102-104, 103 late, 103 with other bytes, reset to 0 (102 and 104 stay lost, no longer missing).
        { deviceId: 'b-gw', lastSeq: 0, lastAt: '2026-03-05T00:00:05.000Z', messages: 6, duplicates: 0, gaps: 1, lost: 3, late: 1, missing: 0, replays: 1, resets: 1 },
      ],
      next: null,
    });
    expect((await app.inject({ url: '/v1/enterprises/ent-b/device-sequences', headers: bearer(SECRETS.regulatorJs) })).statusCode).toBe(200);
    expect((await app.inject({ url: '/v1/enterprises/ent-b/device-sequences', headers: bearer(SECRETS.enterpriseA) })).statusCode).toBe(403);
  });

  it('lists one device’s events in a range, oldest first', async () => {
    const { app } = await seeded();
    const url = '/v1/enterprises/ent-b/device-sequences/b-gw/events?from=2026-03-05T00:00:03Z&to=2026-03-05T00:01:00Z';
    const response = await app.inject({ url, headers: bearer(SECRETS.enterpriseB) });
    expect(response.statusCode).toBe(200);
    expect(response.json<Page<SequenceEventView>>().items).toEqual([
      { at: '2026-03-05T00:00:03.000Z', kind: 'late', seq: 103, gapAt: '2026-03-05T00:00:02.000Z', sha256: sha('103') },
      { at: '2026-03-05T00:00:04.000Z', kind: 'replay', seq: 103, previousSeq: 105, sha256: sha('103x') },
      { at: '2026-03-05T00:00:05.000Z', kind: 'reset', seq: 0, previousSeq: 105, sha256: sha('0') },
    ]);
  });

  it('a device of another enterprise is not found under this one; a range over 31 days is a 400', async () => {
    const { app } = await seeded();
    const other = await app.inject({ url: '/v1/enterprises/ent-b/device-sequences/a-dev/events?from=2026-03-05T00:00:00Z&to=2026-03-06T00:00:00Z', headers: bearer(SECRETS.admin) });
    expect(other.statusCode).toBe(404);
    const long = await app.inject({ url: '/v1/enterprises/ent-b/device-sequences/b-gw/events?from=2026-01-01T00:00:00Z&to=2026-03-06T00:00:00Z', headers: bearer(SECRETS.admin) });
    expect(long.statusCode).toBe(400);
    expect(long.json()).toMatchObject({ errors: [{ in: 'query', pointer: '/to' }] });
  });
});
