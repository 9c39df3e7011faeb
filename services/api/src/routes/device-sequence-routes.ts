import { Type, type Static } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { STORED_EVENT_KINDS } from '@meterline/device-sequence';
import { readSequenceCounts, readSequenceEvents } from '@meterline/series';
import { readableEnterprise } from '../auth/authenticate.ts';
import type { ApiContext } from '../context.ts';
import { ApiError } from '../errors.ts';
import { pageOf, PageQuery, slicePage } from '../http/pagination.ts';
import { AUTHENTICATED_PROBLEMS, BEARER, IdParam, InstantQuery, problemResponses, stringEnum } from '../http/schemas.ts';
import { timeRange } from '../http/time-range.ts';
import { logUnreadable } from '../series/log-unreadable.ts';

/** Events are read whole for a range, then paged: the range is bounded. */
const MAX_EVENT_RANGE_DAYS = 31;

const count = (description: string) => Type.Number({ description });

const SequenceCountsView = Type.Object(
  {
    deviceId: Type.String(),
    lastSeq: Type.Number({ description: 'the seq of the latest payload judged' }),
    lastAt: Type.String({ description: 'when ingest received it' }),
    messages: count('payloads judged (with a readable seq, from this device’s own topic)'),
    duplicates: count('the same seq with the same bytes again: a QoS 1 redelivery or a resend, no anomaly'),
    gaps: count('jumps over seqs never seen'),
    lost: count('seqs skipped by the gaps when they were found'),
    late: count('skipped seqs that arrived later (messages reordered on the way, not lost)'),
    missing: count('skipped seqs of the current run still not seen'),
    replays: count('a seq seen before with other bytes, or a repeat of a seq too old to compare'),
    resets: count('the device counting again from 0 or 1: a new run'),
  },
  { additionalProperties: false },
);

const SequenceEventView = Type.Object(
  {
    at: Type.String({ description: 'when ingest received the payload' }),
    kind: stringEnum(STORED_EVENT_KINDS),
    seq: Type.Number(),
    previousSeq: Type.Optional(Type.Number({ description: 'gap, replay, reset: the highest seq seen before' })),
    lost: Type.Optional(Type.Number({ description: 'gap: the seqs it skipped' })),
    gapAt: Type.Optional(Type.String({ description: 'late: when the gap it fills was found' })),
    sha256: Type.String({ description: 'SHA-256 of the payload, to find it among the device’s own records' }),
  },
  { additionalProperties: false },
);
export type SequenceEventView = Static<typeof SequenceEventView>;

const EnterpriseParams = Type.Object({ id: IdParam('enterprise id', 'cq-autoparts') });
const DeviceParams = Type.Object({ id: IdParam('enterprise id', 'cq-autoparts'), deviceId: IdParam('device id', 'cq-gw-01') });
const iso = (ms: number): string => new Date(ms).toISOString();

export const deviceSequenceRoutes: FastifyPluginAsyncTypebox<ApiContext> = async (app, ctx) => {
  app.get(
    '/v1/enterprises/:id/device-sequences',
    {
      schema: {
        summary: 'Per device of one enterprise: what its seq showed of the messages between it and Meterline',
        description:
          'Gaps (messages lost on the way), late arrivals, replays (a seen seq with other content) and counter resets, counted since the device was first seen. Devices that never sent a readable seq are absent.',
        tags: ['devices'],
        security: BEARER,
        params: EnterpriseParams,
        querystring: Type.Object({ ...PageQuery }, { additionalProperties: false }),
        response: { 200: pageOf(SequenceCountsView), ...problemResponses(...AUTHENTICATED_PROBLEMS, 404, 503) },
      },
    },
    async (request) => {
      const enterprise = readableEnterprise(request, request.params.id);
      const counts = await readSequenceCounts(ctx.store, enterprise.id, logUnreadable(request.log));
      const items = counts.map(({ lastAtMs, ...c }) => ({ ...c, lastAt: iso(lastAtMs) }));
      return slicePage(items, request.query, request.url);
    },
  );

  app.get(
    '/v1/enterprises/:id/device-sequences/:deviceId/events',
    {
      schema: {
        summary: 'The gaps, late arrivals, replays and resets of one device in the range, oldest first',
        description: `One item per event, at the instant ingest received the payload. The range is at most ${MAX_EVENT_RANGE_DAYS} days.`,
        tags: ['devices'],
        security: BEARER,
        params: DeviceParams,
        querystring: Type.Object(
          {
            from: InstantQuery('start of the range, inclusive', '2026-03-01T00:00:00+08:00'),
            to: InstantQuery('end of the range, exclusive', '2026-03-08T00:00:00+08:00'),
            ...PageQuery,
          },
          { additionalProperties: false },
        ),
        response: { 200: pageOf(SequenceEventView), ...problemResponses(...AUTHENTICATED_PROBLEMS, 404, 503) },
      },
    },
    async (request) => {
      const enterprise = readableEnterprise(request, request.params.id);
      const { deviceId } = request.params;
      if (!enterprise.devices.some((d) => d.id === deviceId)) throw new ApiError('MTL_API_NOT_FOUND', `no device ${deviceId} in enterprise ${enterprise.id}`);
      const { fromMs, toMs } = timeRange(request.query);
      if (toMs - fromMs > MAX_EVENT_RANGE_DAYS * 86_400_000) {
        const detail = `must be at most ${MAX_EVENT_RANGE_DAYS} days after from`;
        throw new ApiError('MTL_API_VALIDATION_FAILED', `query /to: ${detail}`, { issues: [{ in: 'query', pointer: '/to', detail }] });
      }
      const events = await readSequenceEvents(ctx.store, { enterpriseId: enterprise.id, deviceId, fromMs, toMs }, logUnreadable(request.log));
      const items = events.map((e) => ({
        at: iso(e.atMs),
        kind: e.kind,
        seq: e.seq,
        ...(e.previousSeq === undefined ? {} : { previousSeq: e.previousSeq }),
        ...(e.lost === undefined ? {} : { lost: e.lost }),
        ...(e.gapAtMs === undefined ? {} : { gapAt: iso(e.gapAtMs) }),
        sha256: e.sha256,
      }));
      return slicePage(items, request.query, request.url);
    },
  );
};
