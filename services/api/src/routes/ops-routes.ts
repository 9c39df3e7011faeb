import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Registry } from '@meterline/service-kit';
import type { SeriesPageReader } from '../series/series-page-reader.ts';

const Health = Type.Object({ status: Type.String(), checks: Type.Record(Type.String(), Type.String()) });

/** `/health` (the process answers), `/ready` (InfluxDB answers too) and `/metrics`; no API key needed. */
export const opsRoutes: FastifyPluginAsyncTypebox<{ series: SeriesPageReader; metrics: Registry }> = async (app, { series, metrics }) => {
  app.get('/health', { schema: { summary: 'Liveness', tags: ['operations'], response: { 200: Health } } }, async () => ({ status: 'ok', checks: {} }));

  app.get(
    '/ready',
    { schema: { summary: 'Readiness: InfluxDB answers its ping', tags: ['operations'], response: { 200: Health, 503: Health } } },
    async (_request, reply) => {
      const influx = await series.ping();
      return reply.status(influx ? 200 : 503).send({ status: influx ? 'ready' : 'not ready', checks: { influxdb: influx ? 'ok' : 'down' } });
    },
  );

  app.get('/metrics', { schema: { summary: 'Prometheus metrics', tags: ['operations'], produces: ['text/plain'] } }, async (_request, reply) =>
    reply.type(metrics.contentType).send(await metrics.metrics()),
  );
};
