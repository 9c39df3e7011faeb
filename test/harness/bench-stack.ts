import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DevicePublishLimit } from '@meterline/contracts';
import { freePorts, startStack, type NativeStack, type StackConnection } from '@meterline/local-stack';
import { buildServices } from './build-services.ts';
import type { NativeStackInfo } from './global-setup.ts';

/** What a benchmark gets: the connection details and the native stack's directories and ports (for createPipeline). */
export interface BenchStack {
  stack: StackConnection;
  native: NativeStackInfo;
  /** The stack's processes, for their pids (CPU and memory measurements). */
  services: NativeStack['services'];
}

/**
 * Runs a benchmark on a private native stack: the services built, Mosquitto, Kafka and InfluxDB
 * started on free ports under a temporary directory, then stopped and removed when `run` ends
 * or the process is interrupted (rather than leave three servers behind). `devicePublishLimit`
 * replaces the broker's per-device limit, for benchmarks whose few devices stand for many.
 */
export async function withBenchStack(run: (env: BenchStack) => Promise<void>, options: { devicePublishLimit?: DevicePublishLimit } = {}): Promise<void> {
  buildServices();
  const baseDir = await mkdtemp(join(tmpdir(), 'meterline-bench-'));
  const [mqtt, kafka, kafkaController, influxHttp, influxRpc] = (await freePorts(5)) as [number, number, number, number, number];
  const publishLimit = options.devicePublishLimit;
  const stack = await startStack({ baseDir, ports: { mqtt, kafka, kafkaController, influxHttp, influxRpc }, ...(publishLimit ? { devicePublishLimit: publishLimit } : {}) });
  const stopAndRemove = () => stack.stop().finally(() => rm(baseDir, { recursive: true, force: true }));
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => void stopAndRemove().finally(() => process.exit(130)));
  }
  try {
    await run({ stack: stack.connection, native: { baseDir, ports: { mqtt, kafka, influxHttp, influxRpc }, ...(publishLimit ? { publishLimit } : {}) }, services: stack.services });
  } finally {
    await stopAndRemove();
  }
}
