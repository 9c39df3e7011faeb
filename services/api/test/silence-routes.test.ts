import { describe, expect, it } from 'vitest';
import { alertingChangeKey } from '@meterline/contracts';
import { overlayAlerting } from '@meterline/feeds';
import { ALERTING_TOPIC, bearer, SECRETS, testApi } from './fixtures.ts';
import type { Page } from '../src/http/pagination.ts';
import type { Problem } from '../src/problem.ts';
import type { SilenceView } from '../src/routes/silence-routes.ts';

const json = { 'content-type': 'application/json' };
const B = '/v1/enterprises/ent-b/silences';
/** The fixtures' now: 2026-03-10T04:00:00Z. */
const NOW = '2026-03-10T04:00:00.000Z';

const alerterSilences = (reader: Awaited<ReturnType<typeof testApi>>['reader'], enterpriseId: string) =>
  overlayAlerting({ rulesFor: () => { throw new Error('not asked'); }, subscriptionsOf: () => [], subscription: () => undefined, silencesOf: () => [] }, reader).silencesOf(enterpriseId);

describe('silences', () => {
  it('creates one made by the key that asked, which the alerters get', async () => {
    const { app, reader } = await testApi();
    const payload = { rules: ['meter-offline', 'low-coverage'], subject: { point: 'b-e-main' }, endsAt: '2026-03-11T08:00:00+08:00', comment: 'incomer swapped' };
    const created = await app.inject({ method: 'POST', url: B, headers: { ...bearer(SECRETS.enterpriseB), ...json }, payload });
    expect(created.statusCode).toBe(201);
    const body = created.json<SilenceView>();
    expect(body).toEqual({ id: expect.stringMatching(/^sil-[0-9a-f]{20}$/) as unknown, enterpriseId: 'ent-b', ...payload, createdBy: 'b-energy-manager', createdAt: NOW, active: true, updatedAt: NOW, updatedBy: 'b-energy-manager' });
    expect(created.headers.location).toBe(`${B}/${body.id}`);
    expect(alerterSilences(reader, 'ent-b')).toContainEqual({ id: body.id, enterpriseId: 'ent-b', ...payload, createdBy: 'b-energy-manager' });

    const list = (await app.inject({ url: B, headers: bearer(SECRETS.regulatorJs) })).json<Page<SilenceView>>();
    expect(list.items.map((s: { id: string }) => s.id)).toEqual(['b-quiet', body.id]);
    expect((await app.inject({ url: `${B}/${body.id}`, headers: bearer(SECRETS.regulatorJs) })).json()).toEqual(body);
  });

  it('names the failing body field: an end in the past or not a real instant, a bad subject, an unknown rule', async () => {
    const { app, bus } = await testApi();
    const post = async (payload: unknown) => (await app.inject({ method: 'POST', url: B, headers: { ...bearer(SECRETS.admin), ...json }, payload: JSON.stringify(payload) })).json<Problem>();
    expect((await post({ endsAt: '2026-03-10T11:59:59+08:00', comment: 'late' })).errors).toEqual([{ in: 'body', pointer: '/endsAt', detail: 'must be in the future' }]);
    expect((await post({ endsAt: '2026-02-30T00:00:00Z', comment: 'x' })).errors).toEqual([{ in: 'body', pointer: '/endsAt', detail: 'is not a real instant' }]);
    expect((await post({ endsAt: '2026-12-01', comment: 'x' })).errors).toEqual([expect.objectContaining({ pointer: '/endsAt' })]);
    expect((await post({ endsAt: '2026-12-01T00:00:00Z', comment: '', rules: ['meter-gone'], subject: { Point: 'x' } })).errors!.map((e) => e.pointer)).toEqual(
      expect.arrayContaining(['/comment', '/rules/0', '/subject/Point']),
    );
    expect(bus.messagesOf(ALERTING_TOPIC).filter((m) => m.key?.startsWith('silence/') && !['silence/a-quiet', 'silence/b-quiet'].includes(m.key))).toEqual([]);
  });

  it('expires one on DELETE: it ends now and stays listed as expired; expiring it again writes nothing', async () => {
    const { app, bus, reader } = await testApi();
    const expired = await app.inject({ method: 'DELETE', url: `${B}/b-quiet`, headers: bearer(SECRETS.enterpriseB) });
    expect(expired.statusCode).toBe(204);
    const shown = (await app.inject({ url: `${B}/b-quiet`, headers: bearer(SECRETS.enterpriseB) })).json<SilenceView>();
    expect(shown).toMatchObject({ endsAt: NOW, active: false, createdBy: 'b-energy-manager', updatedAt: NOW, updatedBy: 'b-energy-manager' });
    expect(alerterSilences(reader, 'ent-b')).toEqual([expect.objectContaining({ id: 'b-quiet', endsAt: NOW })]);
    const get = async (query: string) => (await app.inject({ url: `${B}?${query}`, headers: bearer(SECRETS.enterpriseB) })).json<Page<SilenceView>>().items.map((s) => s.id);
    expect(await get('state=expired')).toEqual(['b-quiet']);
    expect(await get('state=active')).toEqual([]);

    const records = bus.messagesOf(ALERTING_TOPIC).filter((m) => m.key === alertingChangeKey('silence', 'b-quiet')).length;
    expect((await app.inject({ method: 'DELETE', url: `${B}/b-quiet`, headers: bearer(SECRETS.admin) })).statusCode).toBe(204);
    expect(bus.messagesOf(ALERTING_TOPIC).filter((m) => m.key === alertingChangeKey('silence', 'b-quiet'))).toHaveLength(records);
  });

  it('lets B’s regulator read B’s silences but not make or expire one; A’s key gets neither; unknown ids are not found', async () => {
    const { app } = await testApi();
    const body = JSON.stringify({ endsAt: '2026-12-01T00:00:00Z', comment: 'x' });
    expect((await app.inject({ url: B, headers: bearer(SECRETS.regulatorJs) })).statusCode).toBe(200);
    expect((await app.inject({ method: 'POST', url: B, headers: { ...bearer(SECRETS.regulatorJs), ...json }, payload: body })).statusCode).toBe(403);
    expect((await app.inject({ method: 'DELETE', url: `${B}/b-quiet`, headers: bearer(SECRETS.regulatorJs) })).statusCode).toBe(403);
    expect((await app.inject({ method: 'POST', url: B, headers: { ...bearer(SECRETS.enterpriseA), ...json }, payload: body })).statusCode).toBe(403);
    expect((await app.inject({ method: 'DELETE', url: '/v1/enterprises/ent-a/silences/b-quiet', headers: bearer(SECRETS.enterpriseA) })).statusCode).toBe(404);
    expect((await app.inject({ url: `${B}/b-nothing`, headers: bearer(SECRETS.admin) })).statusCode).toBe(404);
  });
});
