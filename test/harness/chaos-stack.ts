import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startStack, type NativeStack, type StackConnection } from '@meterline/local-stack';
import { buildServices } from './build-services.ts';
import type { NativeStackInfo } from './global-setup.ts';

export interface ChaosStack {
  /** What createPipeline takes, as the shared test stack's global setup provides it. */
  env: { stack: StackConnection; native: NativeStackInfo };
  /** The cluster and each of its nodes, to kill and start. */
  kafka: NativeStack['services']['kafka'];
  stop(): Promise<void>;
}

/**
 * A stack of its own for the chaos suite: Mosquitto, InfluxDB and a three-node Kafka cluster,
 * which its tests kill whole or in part. Not the shared test stack: the other suites must not
 * see these faults. The broker keeps the production per-device publish limit.
 */
export async function startChaosStack(): Promise<ChaosStack> {
  buildServices();
  const baseDir = await mkdtemp(join(tmpdir(), 'meterline-chaos-stack-'));
  const started = performance.now();
  const stack = await startStack({ baseDir, kafkaNodes: 3 });
  console.log(`chaos stack (Kafka cluster of ${stack.services.kafka.nodes.length}) up in ${Math.round(performance.now() - started)} ms under ${baseDir}`);
  const { mosquitto, kafka, influx } = stack.services;
  return {
    env: { stack: stack.connection, native: { baseDir, ports: { mqtt: mosquitto.port, kafka: kafka.port, influxHttp: influx.httpPort, influxRpc: influx.rpcPort } } },
    kafka,
    stop: async () => {
      await stack.stop();
      await rm(baseDir, { recursive: true, force: true });
    },
  };
}
