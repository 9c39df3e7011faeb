import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startChaosStack, startedChaosPipeline, type ChaosStack } from '../../harness/chaos-stack.ts';
import type { Pipeline } from '../../harness/pipeline.ts';
import { expectEverythingAccountedFor, publishScenario, type ScenarioResult } from '../../harness/scenario.ts';
import type { ServiceProcess } from '../../harness/service-process.ts';

// Issue 18, item 5: no error a client library raises (the MQTT session's keep-alive, kafkajs and
// @platformatic/kafka request timeouts, the InfluxDB client's) escapes as an uncaught exception.
// Each fault is real, made while the simulator's fleet publishes; each service must live through
// it in the same process, say so at /health, log the library's own error, and lose nothing.

/** Ingest's MQTT keep-alive here: short, so a paused broker times its connections out within seconds. */
const KEEPALIVE_SECONDS = 3;
/** Above the InfluxDB client's request timeout (the store's 10 s): every request through the proxy times out. */
const INFLUX_LATENCY_MS = 15_000;
/** Hang guard of the polls below, never a limit on how fast anything must be. */
const HANG_GUARD = { timeout: 120_000, interval: 250 };

/** Ingest's MQTT session (mqtt-packet, its own keep-alive) dropping a connection the broker no longer answers on. */
const KEEPALIVE_TIMEOUT = { msg: /^mqtt connection dropped: nothing heard from the broker/, error: /keep-alive/ };
/** kafkajs's KafkaJSRequestTimeoutError, through its logger (in the writers). */
const KAFKAJS_TIMEOUT = { msg: /^kafkajs: /, error: /Request \w+\(key: \d+, version: \d+\) timed out/ };
/** @platformatic/kafka's TimeoutError, among the attempts of a send ingest gave up on and retries. */
const PLATFORMATIC_TIMEOUT = { msg: /^Kafka send failed; retrying/, error: /Request timed out/ };
/**
 * The InfluxDB client's RequestTimedOutError, and a reset connection, in the writers' retries: of
 * a write, or of the first-value guard's lookup before it, whichever the fault hits (a CI run saw
 * every retry of the reset window in the lookup). undici says "other side closed" for a reset.
 */
const WRITER_HOLDING_THE_BATCH = /holding the batch and retrying$/;
const INFLUX_TIMEOUT = { msg: WRITER_HOLDING_THE_BATCH, error: /Request timed out/ };
const INFLUX_RESET = { msg: WRITER_HOLDING_THE_BATCH, error: /ECONNRESET|socket hang up|other side closed/ };

let chaos: ChaosStack;
let pipeline: Pipeline | undefined;

beforeAll(async () => {
  chaos = await startChaosStack();
}, 300_000);

afterEach(async () => {
  await pipeline?.close();
  pipeline = undefined;
});

afterAll(async () => {
  await chaos?.stop();
}, 120_000);

async function healthOf(services: ServiceProcess[]) {
  return Promise.all(services.map(async (s) => ({ service: basename(s.logFile, '.log'), ...(await s.health()) })));
}

interface LogEntry {
  time: number;
  level: number;
  msg: string;
  /** The whole line, to search the error the library raised (its message, its cause). */
  line: string;
}

/** What a service process wrote: its structured log entries, and the lines that are not (a crash's stack trace). */
async function logOf(service: ServiceProcess): Promise<{ entries: LogEntry[]; unstructured: string[] }> {
  const entries: LogEntry[] = [];
  const unstructured: string[] = [];
  for (const line of (await readFile(service.logFile, 'utf8')).split('\n')) {
    if (line.trim() === '') continue;
    try {
      const entry = JSON.parse(line) as { time: number; level: number; msg: string };
      entries.push({ time: entry.time, level: entry.level, msg: entry.msg, line });
    } catch {
      unstructured.push(line);
    }
  }
  return { entries, unstructured };
}

/** An entry the service logs when the library raised its error: its message, and the error's text anywhere in the entry. */
interface Sign {
  msg: RegExp;
  error: RegExp;
}
const shows = (e: LogEntry, sign: Sign) => sign.msg.test(e.msg) && sign.error.test(e.line);

/** The entries logged in [fromMs, toMs] showing `sign`. */
async function loggedBetween(service: ServiceProcess, fromMs: number, toMs: number, sign: Sign): Promise<LogEntry[]> {
  return (await logOf(service)).entries.filter((e) => e.time >= fromMs && e.time <= toMs && shows(e, sign));
}

const PINO_WARN = 40;

/**
 * Asserts that each service logged an entry showing `sign` in [fromMs, toMs]: the library's
 * error was seen. Failing, it lists what the service did warn of then, to see what happened instead.
 */
async function expectLogged(services: ServiceProcess[], fromMs: number, toMs: number, sign: Sign, what: string) {
  for (const service of services) {
    const entries = (await logOf(service)).entries.filter((e) => e.time >= fromMs && e.time <= toMs);
    const warnings = [...new Set(entries.filter((e) => e.level >= PINO_WARN).map((e) => e.line.replace(/"(time|pid|hostname)":[^,]*,/g, '').slice(0, 600)))].slice(0, 15);
    expect(entries.some((e) => shows(e, sign)), `${basename(service.logFile)}: ${what}; it warned of:\n${warnings.join('\n')}`).toBe(true);
  }
}

/** How Node reports an error nobody handled, in a process's output: then it exits. */
const ESCAPED = /uncaughtException|unhandledRejection|Unhandled 'error' event|UnhandledPromiseRejection|^Node\.js v\d+/m;
const PINO_FATAL = 60;

/** The pid of each service now, to compare after the fault. */
const pidsOf = (services: ServiceProcess[]) => services.map((s) => s.pid());

/** Every service still the process it was before the fault, and nothing escaped in any of them. */
async function expectLivedThrough(services: ServiceProcess[], pidsBefore: (number | undefined)[]) {
  expect(pidsBefore.every((pid) => pid !== undefined)).toBe(true);
  expect(pidsOf(services), 'the same processes, still running').toEqual(pidsBefore);
  for (const service of services) {
    const { entries, unstructured } = await logOf(service);
    expect(unstructured.filter((line) => ESCAPED.test(line)), `${basename(service.logFile)}: an error escaped`).toEqual([]);
    expect(entries.filter((e) => e.level >= PINO_FATAL || ESCAPED.test(e.line)).map((e) => e.line), `${basename(service.logFile)}: a fatal entry`).toEqual([]);
  }
}

/** Polls until every service answers /health 200 (a hang guard only); resolves with how long that took. */
async function healthyAgain(services: ServiceProcess[]): Promise<number> {
  const since = Date.now();
  await expect.poll(async () => (await healthOf(services)).map((h) => h.status), HANG_GUARD).toEqual(services.map(() => 200));
  return Date.now() - since;
}

/**
 * healthyAgain, started when a fault is undone while the stream goes on; awaited after the stream
 * (a failure meanwhile is not an unhandled rejection).
 */
function watchRecovery(services: ServiceProcess[]): { done: Promise<number> } {
  const done = healthyAgain(services);
  void done.catch(() => undefined);
  return { done };
}

/** What each service's /health said, for the log of the run. */
const checksOf = (health: Awaited<ReturnType<typeof healthOf>>) => health.map((h) => `${h.service} ${h.status} ${JSON.stringify((h.body as { checks?: unknown } | undefined)?.checks)}`).join('; ');

/** The first entry of each service showing `sign` in [fromMs, toMs], as `+N ms: line` (N from `fromMs`) for the log of the run. */
async function firstSeen(services: ServiceProcess[], fromMs: number, toMs: number, sign: Sign): Promise<string> {
  const firsts = await Promise.all(
    services.map(async (s) => {
      const [first] = await loggedBetween(s, fromMs, toMs, sign);
      return `${basename(s.logFile, '.log')} ${first ? `+${first.time - fromMs} ms: ${first.line.slice(0, 500)}` : 'none'}`;
    }),
  );
  return firsts.join('\n  ');
}

/**
 * A stream of `ticks` a second apart: `steps[n]` runs before tick n (a fault made, changed,
 * undone, or health read), awaited; `ranAt` has when each step was done (epoch ms), by tick.
 */
async function streamWith(p: Pipeline, ticks: number, steps: Record<number, () => Promise<void>>): Promise<{ result: ScenarioResult; ranAt: Map<number, number> }> {
  const ranAt = new Map<number, number>();
  const result = await publishScenario(p, {
    ticks,
    faultyEvery: 10,
    pauseMs: 1_000,
    beforeTick: async (tick) => {
      const step = steps[tick];
      if (!step) return;
      await step();
      ranAt.set(tick, Date.now());
    },
  });
  return { result, ranAt };
}

describe('client library faults on the chaos stack (issue 18, item 5): no library error escapes, each service carries on and loses nothing', () => {
  it("ingest's MQTT connections time out on their keep-alive (Mosquitto SIGSTOPped mid-stream): ingest reconnects in the same process", async () => {
    pipeline = await startedChaosPipeline(chaos, 'chaos-keepalive', { ingestEnv: { MTL_MQTT_KEEPALIVE_SECONDS: String(KEEPALIVE_SECONDS) } });
    const p = pipeline;
    const services = [...p.ingests, ...p.writers];
    const pidsBefore = pidsOf(services);
    const brokerPid = await p.broker.runningPid();
    if (brokerPid === undefined) throw new Error('Mosquitto is not running');
    let stoppedAt = 0;
    let stoppedMs = 0;
    let resumedAfterMs = 0;
    let during: Awaited<ReturnType<typeof healthOf>> = [];
    // Not awaited by the stream: the fleet keeps publishing into the paused broker, whose
    // acknowledgements (and deliveries to ingest's sessions) come once it runs again.
    let fault: Promise<void> | undefined;
    const pauseBroker = async () => {
      process.kill(brokerPid, 'SIGSTOP');
      stoppedAt = Date.now();
      try {
        // Until every connection of both ingests gave up on the silent broker: 503, none up.
        await expect
          .poll(async () => (await healthOf(p.ingests)).map((h) => ({ status: h.status, mqtt: (h.body as { checks?: { mqtt?: string } } | undefined)?.checks?.mqtt })), HANG_GUARD)
          .toEqual(p.ingests.map(() => ({ status: 503, mqtt: expect.stringMatching(/^0\/\d+ connections up$/) as unknown })));
        during = await healthOf(services);
      } finally {
        stoppedMs = Date.now() - stoppedAt;
        process.kill(brokerPid, 'SIGCONT');
      }
      resumedAfterMs = await healthyAgain(p.ingests);
    };
    const result = await publishScenario(p, {
      ticks: 25,
      faultyEvery: 10,
      pauseMs: 1_000,
      beforeTick: (tick) => {
        if (tick !== 5) return;
        fault = pauseBroker();
        // Awaited after the stream; a failure meanwhile is not an unhandled rejection.
        void fault.catch(() => undefined);
      },
    });
    await fault;

    // The keep-alive did time out, in each ingest, while the broker was paused.
    await expectLogged(p.ingests, stoppedAt, stoppedAt + stoppedMs, KEEPALIVE_TIMEOUT, 'no keep-alive timeout while the broker was paused');
    // Meanwhile the writers, which do not speak MQTT, stayed healthy.
    expect(during.slice(p.ingests.length).map((h) => h.status)).toEqual([200, 200]);
    await expectEverythingAccountedFor(p, result);
    await expectLivedThrough(services, pidsBefore);
    console.log(
      `Mosquitto SIGSTOPped for ${stoppedMs} ms (ingest keep-alive ${KEEPALIVE_SECONDS} s); ingest healthy ${resumedAfterMs} ms after SIGCONT; first keep-alive timeout per ingest:\n  ${await firstSeen(p.ingests, stoppedAt, stoppedAt + stoppedMs, KEEPALIVE_TIMEOUT)}`,
    );
  });

  it('kafkajs (the writers) and @platformatic/kafka (ingest) time out their requests, then have their connections reset: every Kafka node cut off for 45 s mid-stream', async () => {
    pipeline = await startedChaosPipeline(chaos, 'chaos-kafka-timeouts', { ingestEnv: { MTL_KAFKA_BROKERS: chaos.kafkaProxyBrokers }, writerEnv: { MTL_KAFKA_BROKERS: chaos.kafkaProxyBrokers } });
    const p = pipeline;
    const services = [...p.ingests, ...p.writers];
    const pidsBefore = pidsOf(services);
    const forEachKafkaProxy = (act: (proxy: string) => Promise<void>) => async () => {
      for (const proxy of chaos.kafkaProxies) await act(proxy);
    };
    const reset = { name: 'reset', type: 'reset_peer', stream: 'upstream', attributes: { timeout: 0 } } as const;
    // Both libraries give a request 30 s: the partition lasts past that, so each one's own timeout
    // fires. @platformatic/kafka then retries the send on a new connection, which hangs as well:
    // resetting the connections after it lets ingest see the send fail, every attempt listed.
    const [CUT, READ, RESET, HEAL] = [5, 25, 40, 50];
    let during: Awaited<ReturnType<typeof healthOf>> = [];
    let recovery: { done: Promise<number> } | undefined;
    const { result, ranAt } = await streamWith(p, 58, {
      [CUT]: forEachKafkaProxy((proxy) => chaos.faults.partition(proxy)),
      [READ]: async () => void (during = await healthOf(services)),
      [RESET]: forEachKafkaProxy(async (proxy) => {
        await chaos.faults.addToxic(proxy, reset);
        await chaos.faults.heal(proxy);
      }),
      [HEAL]: async () => {
        await forEachKafkaProxy((proxy) => chaos.faults.removeToxic(proxy, reset.name))();
        recovery = watchRecovery(services);
      },
    });
    const [cutAt, resetAt, healedAt] = [ranAt.get(CUT)!, ranAt.get(RESET)!, ranAt.get(HEAL)!];
    expect(resetAt - cutAt).toBeGreaterThanOrEqual(30_000);
    for (const health of during) {
      expect(health, `${health.service} during the cut`).toMatchObject({ status: 503, body: { checks: { kafka: expect.not.stringMatching(/^ok$/) as unknown } } });
    }
    const healthyAfterMs = await recovery!.done;

    // Until the heal, as for ingest: runs logged kafkajs's timeout 31–34 s into the 35 s partition,
    // and a slower one can log it after the reset began (a reset fails requests at once, so a
    // timeout then is still one of a request the partition held).
    await expectLogged(p.writers, cutAt, healedAt, KAFKAJS_TIMEOUT, 'no kafkajs request timeout from the partition');
    await expectLogged(p.ingests, cutAt, healedAt, PLATFORMATIC_TIMEOUT, 'no @platformatic/kafka request timeout');
    await expectEverythingAccountedFor(p, result);
    await expectLivedThrough(services, pidsBefore);
    console.log(
      `every Kafka node partitioned for ${resetAt - cutAt} ms, then its connections reset for ${healedAt - resetAt} ms; all healthy ${healthyAfterMs} ms after the heal; health ${READ - CUT} s in: ${checksOf(during)}; first timeout logged, from the partition:\n  ${await firstSeen(p.writers, cutAt, healedAt, KAFKAJS_TIMEOUT)}\n  ${await firstSeen(p.ingests, cutAt, healedAt, PLATFORMATIC_TIMEOUT)}`,
    );
  });

  it('the InfluxDB client times out, then has its connections reset (toxiproxy), for 30 s mid-stream: the writers hold, say so, and catch up', async () => {
    pipeline = await startedChaosPipeline(chaos, 'chaos-influx-client', { writerEnv: { MTL_INFLUX_URL: chaos.influxProxyUrl } });
    const p = pipeline;
    const services = [...p.ingests, ...p.writers];
    const pidsBefore = pidsOf(services);
    const slow = { name: 'slow-answers', type: 'latency', stream: 'downstream', attributes: { latency: INFLUX_LATENCY_MS, jitter: 0 } } as const;
    const reset = { name: 'reset', type: 'reset_peer', stream: 'upstream', attributes: { timeout: 0 } } as const;
    const [SLOW, READ_SLOW, RESET, READ_RESET, HEAL] = [5, 17, 20, 32, 37];
    const during = { slow: [] as Awaited<ReturnType<typeof healthOf>>, reset: [] as Awaited<ReturnType<typeof healthOf>> };
    let recovery: { done: Promise<number> } | undefined;
    const { result, ranAt } = await streamWith(p, 45, {
      [SLOW]: () => chaos.faults.addToxic('influxdb', slow),
      [READ_SLOW]: async () => void (during.slow = await healthOf(p.writers)),
      [RESET]: async () => {
        await chaos.faults.removeToxic('influxdb', slow.name);
        await chaos.faults.addToxic('influxdb', reset);
      },
      [READ_RESET]: async () => void (during.reset = await healthOf(p.writers)),
      [HEAL]: async () => {
        await chaos.faults.removeToxic('influxdb', reset.name);
        recovery = watchRecovery(p.writers);
      },
    });
    const [slowAt, resetAt, healedAt] = [ranAt.get(SLOW)!, ranAt.get(RESET)!, ranAt.get(HEAL)!];
    expect(healedAt - slowAt).toBeGreaterThanOrEqual(30_000);
    for (const health of [...during.slow, ...during.reset]) expect(health, `${health.service} during the fault`).toMatchObject({ status: 503, body: { checks: { store: 'down' } } });
    const healthyAfterMs = await recovery!.done;

    // The client's own errors, in the writers' retries: its request timeout while InfluxDB was slow, the reset after.
    await expectLogged(p.writers, slowAt, resetAt, INFLUX_TIMEOUT, 'no InfluxDB client timeout while it was slow');
    await expectLogged(p.writers, resetAt, healedAt, INFLUX_RESET, 'no reset connection while the proxy reset them');
    await expectEverythingAccountedFor(p, result);
    await expectLivedThrough(services, pidsBefore);
    console.log(
      `InfluxDB answering ${INFLUX_LATENCY_MS} ms late for ${resetAt - slowAt} ms, then resetting connections for ${healedAt - resetAt} ms; writers healthy ${healthyAfterMs} ms after the heal; health while slow: ${checksOf(during.slow)}; while resetting: ${checksOf(during.reset)}; first error per writer:\n  ${await firstSeen(p.writers, slowAt, resetAt, INFLUX_TIMEOUT)}\n  ${await firstSeen(p.writers, resetAt, healedAt, INFLUX_RESET)}`,
    );
  });
});
