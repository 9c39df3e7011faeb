import { createHash } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { createTopics, freePorts, type StackConnection } from '@meterline/local-stack';
import type { AggregationTopics } from './aggregation.ts';
import type { Pipeline } from './pipeline.ts';
import { serviceProcess, type ServiceProcess } from './service-process.ts';

/** An API key a test calls with: its secret in the clear, the file gets its SHA-256. */
export type TestApiKey = { id: string; secret: string } & ({ role: 'admin' } | { role: 'regulator'; jurisdiction: string[] } | { role: 'enterprise'; enterpriseId: string });

export interface ApiUnderTest {
  process: ServiceProcess;
  url: string;
}

/**
 * The API as a process (not started) on a pipeline's InfluxDB and registry file, with a keys file
 * of `keys`. With `aggregation` (the aggregator's topics) it also gets Kafka: the jobs topic it
 * queues aggregation jobs on, the figures and restatements topics its figure cache follows, and
 * compacted alerting and factor-set topics of the pipeline's own (it reads both at start).
 * `env` adds to or overrides its settings.
 */
export async function apiProcess(stack: StackConnection, pipeline: Pipeline, keys: readonly TestApiKey[], options: { aggregation?: AggregationTopics; env?: Record<string, string> } = {}): Promise<ApiUnderTest> {
  const keysFile = join(pipeline.workDir, 'api-keys.yaml');
  const entries = keys.map(({ secret, ...key }) => ({ ...key, sha256: createHash('sha256').update(secret).digest('hex') }));
  await writeFile(keysFile, stringify({ version: 1, keys: entries }));
  let kafka: Record<string, string> = {};
  if (options.aggregation !== undefined) {
    const alertingTopic = `e2e-${pipeline.id}.alerting.v1`;
    const factorSetsTopic = `e2e-${pipeline.id}.factor-sets.v1`;
    await createTopics(stack.kafka.brokers, [
      { topic: alertingTopic, partitions: 3, configs: { 'cleanup.policy': 'compact' } },
      { topic: factorSetsTopic, partitions: 1, configs: { 'cleanup.policy': 'compact' } },
    ]);
    kafka = {
      MTL_KAFKA_BROKERS: stack.kafka.brokers.join(','),
      MTL_ALERTING_TOPIC: alertingTopic,
      MTL_FACTOR_SETS_TOPIC: factorSetsTopic,
      MTL_AGGREGATION_JOBS_TOPIC: options.aggregation.jobs,
      MTL_FIGURES_TOPIC: options.aggregation.figures,
      MTL_RESTATEMENTS_TOPIC: options.aggregation.restatements,
    };
  }
  const [port] = (await freePorts(1)) as [number];
  const process = serviceProcess(
    'api',
    {
      MTL_INFLUX_URL: stack.influx.url,
      MTL_INFLUX_TOKEN: stack.influx.token,
      MTL_INFLUX_DATABASE: pipeline.database,
      MTL_REGISTRY_FILE: join(pipeline.workDir, 'registry.yaml'),
      MTL_API_KEYS_FILE: keysFile,
      ...kafka,
      MTL_PORT: String(port),
      MTL_LOG_LEVEL: 'warn',
      ...options.env,
    },
    pipeline.workDir,
  );
  return { process, url: `http://127.0.0.1:${port}` };
}
