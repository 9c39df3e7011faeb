import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import type { DevicePublishLimit } from '@meterline/contracts';
import { dockerAvailable, freePorts, startStack, startStackWithContainers, type StackConnection, type StackHandle } from '@meterline/local-stack';
import { buildServices } from './build-services.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    stack: StackConnection;
    /** The native stack's directories and ports (absent under containers), for fault injection. */
    native: NativeStackInfo | undefined;
  }
}

export interface NativeStackInfo {
  baseDir: string;
  ports: { mqtt: number; kafka: number; influxHttp: number; influxRpc: number };
  /** The broker's publish limit when it is not DEVICE_PUBLISH_LIMIT (a benchmark's), kept when a test restarts the broker. */
  publishLimit?: DevicePublishLimit;
}

interface SharedStack {
  handle: Promise<{ stack: StackHandle; native: NativeStackInfo | undefined; cleanup: () => Promise<void> }>;
  users: number;
}

/**
 * The test stack's per-device publish limit, raised: tests fast-forward months of quarter-hour
 * history through a few devices (a month is 2 880 payloads per device), which the default limit
 * would spread over minutes. The limit itself is tested on a broker with the default
 * (test/e2e/device-publish-limit.e2e.test.ts, infra/local/test/mosquitto-rate-limit.int.test.ts).
 */
const TEST_STACK_PUBLISH_LIMIT: DevicePublishLimit = { messagesPerSecond: 100_000, messageBurst: 1_000_000, bytesPerSecond: 1e9, byteBurst: 1e10 };

// The integration and e2e projects each run this setup; both use one stack per vitest run.
const registry = globalThis as typeof globalThis & { __meterlineStack?: SharedStack };

async function launch() {
  // The e2e tests run the services as built bundles: build them once, here.
  buildServices();
  if (await dockerAvailable()) {
    const stack = await startStackWithContainers({ devicePublishLimit: TEST_STACK_PUBLISH_LIMIT });
    return { stack, native: undefined, cleanup: () => Promise.resolve()};
  }
  const baseDir = await mkdtemp(join(tmpdir(), 'meterline-test-stack-'));
  const started = performance.now();
  const [mqtt, kafka, kafkaController, influxHttp, influxRpc] = (await freePorts(5)) as [number, number, number, number, number];
  const stack = await startStack({ baseDir, ports: { mqtt, kafka, kafkaController, influxHttp, influxRpc }, devicePublishLimit: TEST_STACK_PUBLISH_LIMIT });
  console.log(`test stack (native) up in ${Math.round(performance.now() - started)} ms under ${baseDir}`);
  const native = { baseDir, ports: { mqtt, kafka, influxHttp, influxRpc }, publishLimit: TEST_STACK_PUBLISH_LIMIT };
  return { stack, native, cleanup: () => rm(baseDir, { recursive: true, force: true }) };
}

/** @public vitest runs it by path (globalSetup in vitest.config.ts) */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  registry.__meterlineStack ??= { handle: launch(), users: 0 };
  const shared = registry.__meterlineStack;
  shared.users++;
  const { stack, native } = await shared.handle;
  project.provide('stack', stack.connection);
  project.provide('native', native);
  return async () => {
    shared.users--;
    if (shared.users > 0) return;
    registry.__meterlineStack = undefined;
    const { cleanup } = await shared.handle;
    await stack.stop();
    await cleanup();
  };
}
