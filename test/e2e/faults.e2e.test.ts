import { join } from 'node:path';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { DEV_INFLUX_ADMIN, influx } from '@meterline/local-stack';
import { fleetManifest } from '@meterline/simulator';
import { stackEnv } from '../harness/stack-env.ts';
import { createPipeline, type Pipeline } from '../harness/pipeline.ts';
import { expectEverythingAccountedFor, publishScenario } from '../harness/scenario.ts';

// 20 devices × 10 points per quarter-hour; every 10th device-tick also sends a faulty payload.
const FLEET = { enterprises: 2, devicesPerEnterprise: 10, pointsPerDevice: 10 };

let pipeline: Pipeline | undefined;
afterEach(async () => {
  await pipeline?.close();
  pipeline = undefined;
});

async function started(prefix: string): Promise<Pipeline> {
  const p = await createPipeline(stackEnv(), fleetManifest({ ...FLEET, prefix }));
  await p.writer.start();
  await p.ingest.start();
  return p;
}

describe('faults mid-stream lose nothing', () => {
  it('writer SIGKILLed and restarted', async () => {
    pipeline = await started('e2e-wkill');
    const p = pipeline;
    const result = await publishScenario(p, {
      ticks: 24,
      faultyEvery: 10,
      pauseMs: 250,
      beforeTick: async (tick) => {
        if (tick === 8) await p.writer.kill();
        if (tick === 14) await p.writer.start();
      },
    });
    await expectEverythingAccountedFor(p, result);
  });

  it('ingest SIGKILLed and restarted: the broker keeps its unacknowledged and queued messages', async () => {
    pipeline = await started('e2e-ikill');
    const p = pipeline;
    const result = await publishScenario(p, {
      ticks: 24,
      faultyEvery: 10,
      pauseMs: 250,
      beforeTick: async (tick) => {
        if (tick === 8) await p.ingest.kill();
        if (tick === 14) await p.ingest.start();
      },
    });
    await expectEverythingAccountedFor(p, result);
  });

  it('InfluxDB stopped for at least 20 s and restarted: the writer holds, then catches up', async () => {
    const native = inject('native');
    if (!native) throw new Error('this fault test stops the native InfluxDB');
    const server = influx({ dir: join(native.baseDir, 'influxdb'), httpPort: native.ports.influxHttp, rpcPort: native.ports.influxRpc, admin: DEV_INFLUX_ADMIN });
    pipeline = await started('e2e-influx');
    const p = pipeline;
    let stoppedAt = 0;
    let outageMs = 0;
    let writerUnhealthyDuringOutage = false;
    const result = await publishScenario(p, {
      ticks: 30,
      faultyEvery: 10,
      pauseMs: 1_000,
      beforeTick: async (tick) => {
        if (tick === 4) {
          await server.stop();
          stoppedAt = Date.now();
        }
        if (tick === 15) writerUnhealthyDuringOutage = (await p.writer.health())?.status === 503;
        if (tick === 27) {
          outageMs = Date.now() - stoppedAt;
          await server.start();
        }
      },
    });
    expect(outageMs).toBeGreaterThanOrEqual(20_000);
    expect(writerUnhealthyDuringOutage).toBe(true);
    await expectEverythingAccountedFor(p, result);
  });
});
