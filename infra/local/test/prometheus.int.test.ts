import { createServer, type Server } from 'node:http';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePorts, isStackError, prometheus, type PrometheusHandle } from '../src/index.ts';

let baseDir: string;
let prom: PrometheusHandle;
let exporter: Server;
let exporterPort: number;
let served = 0;

beforeAll(async () => {
  baseDir = await mkdtemp(join(tmpdir(), 'mtl-prometheus-test-'));
  const [promPort, port] = (await freePorts(2)) as [number, number];
  exporterPort = port;
  // A target of our own that counts its scrapes, so what Prometheus stores can be compared with what it was served.
  exporter = createServer((request, response) => {
    if (request.url !== '/custom/metrics') {
      response.writeHead(404).end();
      return;
    }
    served++;
    response.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' }).end(`# TYPE test_scrapes_total counter\ntest_scrapes_total{side="exporter"} ${served}\n`);
  });
  await new Promise<void>((resolve) => exporter.listen(exporterPort, '127.0.0.1', resolve));
  prom = prometheus({ dir: join(baseDir, 'prometheus'), port: promPort, scrapeIntervalSeconds: 1, targets: [{ address: `127.0.0.1:${promPort}` }] });
  await prom.start();
}, 120_000);

afterAll(async () => {
  await prom?.stop();
  await new Promise((resolve) => exporter?.close(resolve));
  await rm(baseDir, { recursive: true, force: true });
});

describe('prometheus', () => {
  it('scrapes the targets it starts with, and those set later without a restart (custom metrics path)', async () => {
    const pid = await prom.runningPid();
    await expect.poll(async () => (await prom.query('up')).map((s) => s.metric['instance']), { timeout: 30_000, interval: 500 }).toEqual([prom.url.replace('http://', '')]);

    await prom.setTargets([{ address: `127.0.0.1:${prom.port}` }, { address: `127.0.0.1:${exporterPort}`, metricsPath: '/custom/metrics' }]);
    await expect.poll(async () => (await prom.query('test_scrapes_total')).length, { timeout: 30_000, interval: 500 }).toBe(1);
    const [series] = await prom.query('test_scrapes_total');
    expect(series?.metric).toMatchObject({ side: 'exporter', job: 'meterline', instance: `127.0.0.1:${exporterPort}` });
    expect(Number(series?.value?.[1])).toBeGreaterThanOrEqual(1);
    expect(Number(series?.value?.[1])).toBeLessThanOrEqual(served);
    expect((await prom.activeTargets()).map((t) => t.scrapeUrl).sort()).toEqual([`http://127.0.0.1:${exporterPort}/custom/metrics`, `${prom.url}/metrics`].sort());
    expect(await prom.runningPid()).toBe(pid);
  });

  it('runs range queries, one value per step', async () => {
    // Wait until the series has a sample older than the range asked for: only then has every step a value
    // (a count of scrapes alone does not say when the first one was, scrapes drift under load).
    await expect.poll(async () => (await prom.query('test_scrapes_total offset 3s')).length, { timeout: 30_000, interval: 500 }).toBe(1);
    const end = Math.floor(Date.now() / 1000);
    const [series] = await prom.queryRange('test_scrapes_total', { start: end - 2, end, step: 1 });
    expect(series?.values?.map(([t]) => t)).toEqual([end - 2, end - 1, end]);
  });

  it("raises MTL_STACK_REQUEST_FAILED with Prometheus' reason for an expression it refuses", async () => {
    const error: unknown = await prom.query('sum(rate(test_scrapes_total[1m])').catch((e: unknown) => e);
    expect(isStackError(error, 'MTL_STACK_REQUEST_FAILED')).toBe(true);
    expect((error as Error).message).toMatch(/bad_data/);
  });

  it('refuses targets that are not host:port before writing them', async () => {
    const error: unknown = await prom.setTargets([{ address: 'http://127.0.0.1:1/metrics' }]).catch((e: unknown) => e);
    expect(isStackError(error, 'MTL_STACK_CONFIG_INVALID')).toBe(true);
    expect((await prom.activeTargets()).length).toBe(2);
  });
});
