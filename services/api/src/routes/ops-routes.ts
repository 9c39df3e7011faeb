import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Registry } from '@meterline/service-kit';
import type { MemberPing } from '@meterline/store';
import type { AlertingDirectory } from '../alerting/alerting-directory.ts';
import type { FigureChangeFollower } from '../figure-cache/figure-change-follower.ts';
import type { SeriesPageReader } from '../series/series-page-reader.ts';

const Health = Type.Object({ status: Type.String(), checks: Type.Record(Type.String(), Type.String()) });

interface OpsDeps {
  series: SeriesPageReader;
  influxMembers: (() => Promise<MemberPing[]>) | undefined;
  alerting: AlertingDirectory | undefined;
  metrics: Registry;
  /** The follower of figure announcements behind the figure cache; undefined when there is no cache. */
  figureChanges: Pick<FigureChangeFollower, 'status'> | undefined;
}

/** Whether the figure cache is used, and if not why: figures are then read from the store, still right, only slower. */
function figureCacheCheck(figureChanges: OpsDeps['figureChanges']): string {
  if (!figureChanges) return 'off';
  const { state, lag } = figureChanges.status();
  switch (state) {
    case 'current':
      return 'ok';
    case 'catching-up':
      return 'catching up with the figure announcements: not used';
    case 'behind':
      return `${lag ?? 'some'} figure announcements not yet applied: not used`;
    case 'unreachable':
      return 'Kafka does not answer how far the figure announcements are applied: not used';
  }
}

/**
 * Which InfluxDB answers: with replicas, a primary down leaves the API ready (readings and
 * figures come from a replica) and says so, since everything else answers 503 meanwhile.
 */
async function influxCheck(series: SeriesPageReader, members: OpsDeps['influxMembers']): Promise<string> {
  if (!members) return (await series.ping()) ? 'ok' : 'down';
  const answers = await members();
  const down = answers.filter((m) => !m.up).map((m) => m.name);
  const serving = answers.find((m) => m.up);
  if (!serving) return 'down';
  if (down.length === 0) return 'ok';
  if (serving === answers[0]) return `replica ${down.join(', ')} down`;
  return `primary ${answers[0]!.name} down: readings and figures from ${serving.name}, everything else unavailable`;
}

/**
 * `/health` (the process answers), `/ready` (InfluxDB answers, and the alerting topic has been
 * read) and `/metrics`; no API key needed. Both say whether the figure cache is used: a cache
 * not used (its announcements lagging or Kafka away) makes figures slower, not wrong, so it
 * makes the API neither unhealthy nor unready.
 */
export const opsRoutes: FastifyPluginAsyncTypebox<OpsDeps> = async (app, { series, influxMembers, alerting, metrics, figureChanges }) => {
  app.get('/health', { schema: { summary: 'Liveness', tags: ['operations'], response: { 200: Health } } }, async () => ({
    status: 'ok',
    checks: { figureCache: figureCacheCheck(figureChanges) },
  }));

  app.get(
    '/ready',
    {
      schema: {
        summary: 'Readiness: InfluxDB answers its ping, and the alerting topic has been read (when the API has Kafka)',
        tags: ['operations'],
        response: { 200: Health, 503: Health },
      },
    },
    async (_request, reply) => {
      const influx = await influxCheck(series, influxMembers);
      const topic = alerting === undefined ? 'not configured' : alerting.ready() ? 'ok' : 'catching up';
      const ready = influx !== 'down' && topic !== 'catching up';
      const checks = { influxdb: influx, alertingTopic: topic, figureCache: figureCacheCheck(figureChanges) };
      return reply.status(ready ? 200 : 503).send({ status: ready ? 'ready' : 'not ready', checks });
    },
  );

  app.get('/metrics', { schema: { summary: 'Prometheus metrics', tags: ['operations'], produces: ['text/plain'] } }, async (_request, reply) =>
    reply.type(metrics.contentType).send(await metrics.metrics()),
  );
};
