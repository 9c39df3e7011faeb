import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Registry } from '@meterline/service-kit';
import type { AlertingDirectory } from '../alerting/alerting-directory.ts';
import type { SeriesPageReader } from '../series/series-page-reader.ts';

const Health = Type.Object({ status: Type.String(), checks: Type.Record(Type.String(), Type.String()) });

interface OpsDeps {
  series: SeriesPageReader;
  alerting: AlertingDirectory | undefined;
  metrics: Registry;
}

/** `/health` (the process answers), `/ready` (InfluxDB answers, and the alerting topic has been read) and `/metrics`; no API key needed. */
export const opsRoutes: FastifyPluginAsyncTypebox<OpsDeps> = async (app, { series, alerting, metrics }) => {
  app.get('/health', { schema: { summary: 'Liveness', tags: ['operations'], response: { 200: Health } } }, async () => ({ status: 'ok', checks: {} }));

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
      const influx = await series.ping();
      const topic = alerting === undefined ? 'not configured' : alerting.ready() ? 'ok' : 'catching up';
      const ready = influx && topic !== 'catching up';
      return reply.status(ready ? 200 : 503).send({ status: ready ? 'ready' : 'not ready', checks: { influxdb: influx ? 'ok' : 'down', alertingTopic: topic } });
    },
  );

  app.get('/metrics', { schema: { summary: 'Prometheus metrics', tags: ['operations'], produces: ['text/plain'] } }, async (_request, reply) =>
    reply.type(metrics.contentType).send(await metrics.metrics()),
  );
};
