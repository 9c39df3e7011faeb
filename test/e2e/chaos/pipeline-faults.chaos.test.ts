import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { DeviceSequenceV1, WebhookBodyV1 } from '@meterline/contracts';
import { DEVICE_RECONNECT_BACKOFF, Fleet, connectFleet } from '@meterline/simulator';
import { expectAggregatedAsAccounted } from '../../harness/aggregation.ts';
import { announcementsOf } from '../../harness/alerting.ts';
import { CHAOS_FLEET, alertersSharing, startChaosStack, startedChaosAlerters, startedChaosPipeline, type ChaosAlerting, type ChaosStack } from '../../harness/chaos-stack.ts';
import { inSyncReplicas, partitionLeader, readTopic } from '../../harness/kafka-topics.ts';
import { devicePassword, type Pipeline } from '../../harness/pipeline.ts';
import { QUARTER_HOUR, START_MS, expectEverythingAccountedFor, publishScenario, storedReadings } from '../../harness/scenario.ts';
import { serviceMetrics } from '../../harness/service-metrics.ts';
import type { ServiceProcess } from '../../harness/service-process.ts';

let chaos: ChaosStack;
let pipeline: Pipeline | undefined;
let alerting: ChaosAlerting | undefined;
/** The cluster case's fleet, with its two alerters: 210 points in seven enterprises, so both instances own some. */
const ALERTED_FLEET = { enterprises: 7, devicesPerEnterprise: 3, pointsPerDevice: 10 };

beforeAll(async () => {
  chaos = await startChaosStack();
}, 300_000);

afterEach(async () => {
  await alerting?.close();
  alerting = undefined;
  await pipeline?.close();
  pipeline = undefined;
});

afterAll(async () => {
  await chaos?.stop();
}, 120_000);

/** Polls until another node than `from` leads partition 0 of the topic; resolves with it and how long that took. */
async function newLeaderOf(topic: string, from: number): Promise<{ leader: number; afterMs: number }> {
  const since = Date.now();
  for (;;) {
    // While the cluster has not yet fenced the dead node, a metadata request may fail: not yet.
    const leader = await partitionLeader(chaos.env.stack, topic, 0).catch(() => from);
    if (leader !== from) return { leader, afterMs: Date.now() - since };
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** How many ticks the alerter has judged for the enterprises it owns. */
async function ticksEvaluated(alerter: ServiceProcess): Promise<number> {
  const sample = /^meterline_alerter_ticks_total\{[^}]*outcome="evaluated"[^}]*\} (\d+)$/m.exec(await serviceMetrics(alerter));
  return Number(sample?.[1] ?? 0);
}

async function healthOf(services: ServiceProcess[]) {
  return Promise.all(services.map(async (s) => ({ service: s.name, ...(await s.health()) })));
}

/**
 * The stream for an outage of at least 30 s: 45 ticks a second apart, `cut` before tick 5, the
 * health of `watched` read at tick 25 (20 s in: past the services' 10 s silence limit, before the
 * client libraries' own retries give up), `restore` before tick 37.
 */
async function throughOutage(p: Pipeline, outage: { cut: () => Promise<void>; restore: () => Promise<void>; watched: ServiceProcess[] }) {
  let cutAt = 0;
  let outageMs = 0;
  let during: Awaited<ReturnType<typeof healthOf>> = [];
  const result = await publishScenario(p, {
    ticks: 45,
    faultyEvery: 10,
    pauseMs: 1_000,
    beforeTick: async (tick) => {
      if (tick === 5) {
        await outage.cut();
        cutAt = Date.now();
      }
      if (tick === 25) during = await healthOf(outage.watched);
      if (tick === 37) {
        outageMs = Date.now() - cutAt;
        await outage.restore();
      }
    },
  });
  return { result, outageMs, during };
}

describe('chaos on a stack with a three-node Kafka cluster (issue 18): every valid reading stored once, every bad payload dead-lettered', () => {
  it("the readings topic's partition leader SIGKILLed mid-stream, then restarted", async () => {
    pipeline = await startedChaosPipeline(chaos, 'chaos-leader');
    const p = pipeline;
    const leaderId = await partitionLeader(chaos.env.stack, p.topics.readings, 0);
    const victim = chaos.kafka.nodes.find((n) => n.nodeId === leaderId);
    if (!victim) throw new Error(`no node ${leaderId} in the cluster`);
    let failover: Promise<{ leader: number; afterMs: number }> | undefined;
    const result = await publishScenario(p, {
      ticks: 40,
      faultyEvery: 10,
      pauseMs: 500,
      beforeTick: async (tick) => {
        if (tick === 8) {
          await victim.kill();
          failover = newLeaderOf(p.topics.readings, leaderId);
        }
        if (tick === 32) {
          // Restarted once the cluster has fenced it (KRaft's broker session timeout, 9 s by default).
          await failover;
          await victim.start();
        }
      },
    });
    const { leader, afterMs } = await failover!;
    console.log(`readings partition 0: leader ${leaderId} killed, node ${leader} led after ${afterMs} ms`);
    await expectEverythingAccountedFor(p, result);
    // The restarted node caught up: every partition has its three replicas in sync again.
    await expect.poll(() => inSyncReplicas(chaos.env.stack, p.topics.readings), { timeout: 60_000, interval: 1_000 }).toEqual([3, 3, 3, 3, 3, 3]);
    await expectAggregatedAsAccounted(chaos.env.stack, p);
  });

  it('the whole cluster SIGKILLed for at least 30 s mid-stream: health says so, the broker holds the readings, nothing is lost; two alerters announce every alert once', async () => {
    pipeline = await startedChaosPipeline(chaos, 'chaos-cluster', { fleet: ALERTED_FLEET });
    const p = pipeline;
    alerting = await startedChaosAlerters(chaos, p);
    const { receiver, alerters } = alerting;
    // Refused until the cluster is back: every notification is still to deliver when it dies.
    receiver.failWith(503);
    const services = [...p.ingests, ...p.writers];
    const { result, outageMs, during: duringOutage } = await throughOutage(p, {
      cut: () => chaos.kafka.kill(),
      restore: async () => {
        await chaos.kafka.start();
        receiver.failWith(undefined);
      },
      watched: services,
    });
    expect(outageMs).toBeGreaterThanOrEqual(30_000);
    for (const health of duringOutage) {
      expect(health, `${health.service} during the outage`).toMatchObject({ status: 503, body: { checks: { kafka: expect.not.stringMatching(/^ok$/) as unknown } } });
    }
    await expectEverythingAccountedFor(p, result);
    await expect.poll(async () => (await healthOf(services)).map((h) => h.status), { timeout: 60_000, interval: 1_000 }).toEqual(services.map(() => 200));

    // Alerts, none lost: every point published is offline (its readings are months old), each point's alert arrived firing...
    const points = p.manifest.enterprises.flatMap((e) => e.sites.flatMap((s) => s.meteringPoints.map((m) => m.id))).sort();
    const firingPoints = () => [...new Set(receiver.received.flatMap((w) => (JSON.parse(w.body) as WebhookBodyV1).alerts).filter((a) => a.status === 'firing').map((a) => a.subject.point))].sort();
    await expect.poll(firingPoints, { timeout: 180_000, interval: 1_000 }).toEqual(points);
    expect(receiver.refused()).toBeGreaterThan(0);
    // ...none doubled: each alert opened (or closed) in one notification, whichever instance sent it, however often it was retried.
    const announcements = announcementsOf(receiver.received);
    expect([...announcements].filter(([, keys]) => keys.size > 1)).toEqual([]);
    expect(receiver.received.filter((w) => !w.verification.ok)).toEqual([]);
    const bodies = new Map<string, Set<string>>();
    for (const w of receiver.received) bodies.set(w.idempotencyKey, (bodies.get(w.idempotencyKey) ?? new Set()).add(w.body));
    expect([...bodies].filter(([, b]) => b.size > 1).map(([key, b]) => ({ key, bodies: [...b] }))).toEqual([]);
    expect(await readTopic(chaos.env.stack, alerting.topics.notificationsDlq)).toEqual([]);
    // Both instances came through the outage sharing the work again, each judging its own enterprises' ticks. Which one
    // opened an alert is not for the test to know: the first to rejoin the restarted cluster holds every partition until
    // the other joins, and may judge every enterprise in that window (CI once saw one instance open all 210).
    await alertersSharing(chaos, p);
    const evaluated = await Promise.all(alerters.map(ticksEvaluated));
    await expect.poll(async () => (await Promise.all(alerters.map(ticksEvaluated))).map((n, i) => n > evaluated[i]!), { timeout: 60_000, interval: 1_000 }).toEqual([true, true]);
    const distinct = new Set(receiver.received.map((w) => w.idempotencyKey)).size;
    console.log(`alerts: ${announcements.size} alert transitions for ${points.length} points in ${distinct} notifications (${receiver.received.length} requests accepted, ${receiver.refused()} refused)`);
    await expectAggregatedAsAccounted(chaos.env.stack, p);
  });

  it('a 30 s network partition between the writers and InfluxDB mid-stream: the writers hold, say so, and catch up', async () => {
    pipeline = await startedChaosPipeline(chaos, 'chaos-influx-partition', { writerEnv: { MTL_INFLUX_URL: chaos.influxProxyUrl } });
    const p = pipeline;
    const { result, outageMs: partitionMs, during: duringPartition } = await throughOutage(p, {
      cut: () => chaos.faults.partition('influxdb'),
      restore: () => chaos.faults.heal('influxdb'),
      watched: p.writers,
    });
    expect(partitionMs).toBeGreaterThanOrEqual(30_000);
    for (const health of duringPartition) expect(health, `${health.service} during the partition`).toMatchObject({ status: 503, body: { checks: { store: 'down' } } });
    await expectEverythingAccountedFor(p, result);
    await expect.poll(async () => (await healthOf(p.writers)).map((h) => h.status), { timeout: 60_000, interval: 1_000 }).toEqual([200, 200]);
    await expectAggregatedAsAccounted(chaos.env.stack, p);
  });

  it('an InfluxDB replica SIGKILLed for 2 minutes mid-stream: the other goes on, the replica catches up from Kafka with nothing missing', async () => {
    const replica = chaos.influxReplica;
    pipeline = await startedChaosPipeline(chaos, 'chaos-replica', { influxReplicas: [{ url: replica.url, token: replica.token }] });
    const p = pipeline;
    const replicaWriters = p.replicas[0]!.writers;
    let killedAt = 0;
    let outageMs = 0;
    let during: { primary: Awaited<ReturnType<typeof healthOf>>; replica: Awaited<ReturnType<typeof healthOf>> } | undefined;
    const result = await publishScenario(p, {
      ticks: 135,
      faultyEvery: 10,
      pauseMs: 1_000,
      beforeTick: async (tick) => {
        if (tick === 5) {
          await replica.kill();
          killedAt = Date.now();
        }
        if (tick === 60) during = { primary: await healthOf(p.writers), replica: await healthOf(replicaWriters) };
        if (tick === 130) {
          outageMs = Date.now() - killedAt;
          await replica.start();
        }
      },
    });
    expect(outageMs).toBeGreaterThanOrEqual(120_000);
    // Meanwhile the primary's writers were healthy (the readings kept landing there) and the replica's said their store was down.
    expect(during?.primary.map((h) => h.status)).toEqual([200, 200]);
    for (const health of during?.replica ?? []) expect(health, `${health.service} of the replica`).toMatchObject({ status: 503, body: { checks: { store: 'down' } } });
    await expectEverythingAccountedFor(p, result);
    await expect.poll(async () => (await storedReadings(p.replicas[0]!)).size, { timeout: 180_000, interval: 1_000 }).toBe(result.expectedStored.size);
    expect(await storedReadings(p.replicas[0]!)).toEqual(result.expectedStored);
    await expectAggregatedAsAccounted(chaos.env.stack, p);
  });

  it('a 30 s network partition between the ingests and every Kafka node mid-stream: ingest holds its acknowledgements (one SIGKILLed before the heal loses nothing), says so, and catches up', async () => {
    pipeline = await startedChaosPipeline(chaos, 'chaos-kafka-partition', { ingestEnv: { MTL_KAFKA_BROKERS: chaos.kafkaProxyBrokers } });
    const p = pipeline;
    const forEachKafkaProxy = (act: (proxy: string) => Promise<void>) => async () => {
      for (const proxy of chaos.kafkaProxies) await act(proxy);
    };
    const victim = p.ingests[0]!;
    const { result, outageMs: partitionMs, during: duringPartition } = await throughOutage(p, {
      cut: forEachKafkaProxy((proxy) => chaos.faults.partition(proxy)),
      // What the killed ingest held unacknowledged, the broker keeps for its session: only an
      // ingest that acknowledged before Kafka did loses it here.
      restore: async () => {
        await victim.kill();
        await forEachKafkaProxy((proxy) => chaos.faults.heal(proxy))();
        await victim.start();
      },
      watched: p.ingests,
    });
    expect(partitionMs).toBeGreaterThanOrEqual(30_000);
    for (const health of duringPartition) {
      expect(health, `${health.service} during the partition`).toMatchObject({ status: 503, body: { checks: { kafka: expect.not.stringMatching(/^ok$/) as unknown } } });
    }
    await expectEverythingAccountedFor(p, result);
    await expect.poll(async () => (await healthOf(p.ingests)).map((h) => h.status), { timeout: 60_000, interval: 1_000 }).toEqual([200, 200]);
    await expectAggregatedAsAccounted(chaos.env.stack, p);
  });

  it('the bandwidth between the ingests and every Kafka node limited to 1 KB/s for 20 s mid-stream: readings back up, then every one is stored and the lag returns to 0', async () => {
    pipeline = await startedChaosPipeline(chaos, 'chaos-kafka-bandwidth', { ingestEnv: { MTL_KAFKA_BROKERS: chaos.kafkaProxyBrokers } });
    const p = pipeline;
    // Ingest's records are not compressed: a tick's 200 readings are tens of KB, far above 3 KB/s over the three nodes.
    const LIMIT = { name: 'narrow', type: 'bandwidth', stream: 'upstream', attributes: { rate: 1 } } as const;
    const READINGS_PER_TICK = CHAOS_FLEET.enterprises * CHAOS_FLEET.devicesPerEnterprise * CHAOS_FLEET.pointsPerDevice;
    let limitedAt = 0;
    let limitedMs = 0;
    let backlog = 0;
    const lift = async () => {
      for (const proxy of chaos.kafkaProxies) await chaos.faults.removeToxic(proxy, LIMIT.name);
      limitedAt = 0;
    };
    let result;
    try {
      result = await publishScenario(p, {
        ticks: 30,
        faultyEvery: 10,
        pauseMs: 1_000,
        beforeTick: async (tick) => {
          if (tick === 5) {
            limitedAt = Date.now();
            for (const proxy of chaos.kafkaProxies) await chaos.faults.addToxic(proxy, LIMIT);
          }
          if (tick === 25) {
            backlog = tick * READINGS_PER_TICK - (await storedReadings(p)).size;
            limitedMs = Date.now() - limitedAt;
            await lift();
          }
        },
      });
    } finally {
      // Lifted whatever happened: ingest could not even close through it, nor the next case run.
      if (limitedAt > 0) await lift();
    }
    const liftedAt = Date.now();
    expect(limitedMs).toBeGreaterThanOrEqual(20_000);
    // The limit held the stream back: readings published before it was lifted were not stored yet.
    expect(backlog).toBeGreaterThan(0);
    await expectEverythingAccountedFor(p, result);
    await expect.poll(() => p.writerLag(), { timeout: 60_000, interval: 1_000 }).toBe(0);
    console.log(`bandwidth 1 KB/s to each Kafka node for ${limitedMs} ms: ${backlog} readings published and not yet stored as it was lifted; every reading stored and writer lag 0 ${Date.now() - liftedAt} ms after`);
    await expect.poll(async () => (await healthOf(p.ingests)).map((h) => h.status), { timeout: 60_000, interval: 1_000 }).toEqual([200, 200]);
    await expectAggregatedAsAccounted(chaos.env.stack, p);
  });

  // Mosquitto 2.0 writes its queues to disk only at its autosave (every 60 s here): a broker
  // killed meanwhile loses what it had acknowledged to devices and not yet delivered. Measured
  // here, and shown visible: each lost reading's payload is a gap in its device's seq, which the
  // alerter raises (docs/device-integration.md, "Sequence"). bench:broker-durability measured the
  // settings that would save more often: none closes the window at a cost our rates bear.
  it('Mosquitto SIGKILLed while ingest is down: only readings queued since its last autosave are lost, each a visible gap in its device seq', async () => {
    pipeline = await startedChaosPipeline(chaos, 'chaos-broker-kill');
    const p = pipeline;
    const INGEST_DOWN_AT = 4;
    const BROKER_KILLED_AT = 14;
    const result = await publishScenario(p, {
      ticks: 24,
      faultyEvery: 1_000,
      pauseMs: 1_000,
      beforeTick: async (tick) => {
        if (tick === INGEST_DOWN_AT) await Promise.all(p.ingests.map((i) => i.stop()));
        if (tick === BROKER_KILLED_AT) {
          await p.broker.kill();
          await p.broker.start();
          await Promise.all(p.ingests.map((i) => i.start()));
        }
      },
    });
    expect(result.outcomes.every((o) => o.accepted)).toBe(true);
    const tickOf = (key: string) => Math.round((Number(key.split('@')[1]) - START_MS) / QUARTER_HOUR);
    const queuedWhileDown = (key: string) => tickOf(key) >= INGEST_DOWN_AT && tickOf(key) < BROKER_KILLED_AT;
    // Everything published while ingest was up arrives.
    const mustArrive = [...result.expectedStored.keys()].filter((key) => !queuedWhileDown(key));
    await expect.poll(async () => { const stored = await storedReadings(p); return mustArrive.filter((key) => !stored.has(key)).length; }, { timeout: 180_000, interval: 1_000 }).toBe(0);
    await expect.poll(() => p.writerLag(), { timeout: 60_000, interval: 1_000 }).toBe(0);
    const stored = await storedReadings(p);
    for (const [key, value] of stored) expect(result.expectedStored.get(key), key).toBe(value);
    const lost = new Set([...result.expectedStored.keys()].filter((key) => !stored.has(key)));
    for (const key of lost) expect(queuedWhileDown(key), `${key} lost though not queued for a stopped ingest`).toBe(true);

    // Visible: no sequence record for a lost payload, and a later seq of its device recorded.
    const sequences = await readTopic<DeviceSequenceV1>(chaos.env.stack, p.topics.deviceSequence);
    const seqsOf = new Map<string, Set<number>>();
    for (const record of sequences) seqsOf.set(record.deviceId, (seqsOf.get(record.deviceId) ?? new Set()).add(record.seq));
    const lostPayloads = result.outcomes.filter((o) => o.payload.readings.some((r) => lost.has(`${r.point}@${Date.parse(r.ts)}`)));
    for (const { payload } of lostPayloads) {
      const seen = seqsOf.get(payload.deviceId) ?? new Set<number>();
      expect(seen.has(payload.seq), `${payload.deviceId} seq ${payload.seq} recorded though lost`).toBe(false);
      expect(Math.max(...seen), `a later seq of ${payload.deviceId} recorded`).toBeGreaterThan(payload.seq);
    }
    const lostTicks = [...new Set([...lost].map(tickOf))].sort((a, b) => a - b);
    const queued = [...result.expectedStored.keys()].filter(queuedWhileDown).length;
    console.log(`broker SIGKILLed ${BROKER_KILLED_AT - INGEST_DOWN_AT} s after ingest stopped: ${lost.size} of ${queued} queued readings lost (${lostPayloads.length} payloads, ticks ${lostTicks.join(', ') || 'none'}), each a seq gap`);
    // What was stored, lost readings and all, is what the aggregators' figures rest on.
    await expectAggregatedAsAccounted(chaos.env.stack, p);
  });

  it('Mosquitto restarted while 1 000 devices are connected: those with jittered back-off come back spread out, and the stream resumes', async () => {
    pipeline = await startedChaosPipeline(chaos, 'chaos-reconnect', { fleet: { enterprises: 10, devicesPerEnterprise: 100, pointsPerDevice: 1 } });
    const p = pipeline;
    const fleet = new Fleet(p.manifest, { seed: 7 });
    // Half the fleet reconnects as the device guide asks (jittered back-off), half as mqtt.js does by default (every second): the storm to compare with.
    const ids = fleet.devices.map((d) => d.id);
    const halves = { jittered: ids.filter((_, i) => i % 2 === 0), fixed: ids.filter((_, i) => i % 2 === 1) };
    const reconnectedAt = { jittered: new Map<string, number>(), fixed: new Map<string, number>() };
    const connections = {
      jittered: await connectFleet({ url: p.broker.url, deviceIds: halves.jittered, password: devicePassword, reconnect: DEVICE_RECONNECT_BACKOFF, onReconnected: (id, atMs) => reconnectedAt.jittered.set(id, atMs) }),
      fixed: await connectFleet({ url: p.broker.url, deviceIds: halves.fixed, password: devicePassword, onReconnected: (id, atMs) => reconnectedAt.fixed.set(id, atMs) }),
    };
    const jittered = new Set(halves.jittered);
    const expected = new Map<string, number>();
    const sentWhileAway = new Set<string>();
    const publishTick = async (tick: number, whileAway = false) => {
      const planned = fleet.tick(START_MS + tick * QUARTER_HOUR, QUARTER_HOUR);
      const outcomes = await Promise.all(planned.map((payload) => (jittered.has(payload.deviceId) ? connections.jittered : connections.fixed).publish(payload)));
      expect(outcomes.filter((o) => !o.accepted).map((o) => o.refusal)).toEqual([]);
      for (const { payload } of outcomes) {
        for (const r of payload.readings) {
          expected.set(`${r.point}@${Date.parse(r.ts)}`, r.value);
          if (whileAway) sentWhileAway.add(`${r.point}@${Date.parse(r.ts)}`);
        }
      }
    };
    try {
      await publishTick(0);
      await expect.poll(async () => (await storedReadings(p)).size, { timeout: 120_000, interval: 1_000 }).toBe(expected.size);
      const droppedAt = Date.now();
      await p.broker.stop();
      // Published while the broker is away: each device keeps the tick and sends it once back, and
      // the broker acknowledges every one (mqtt.js's reconnect() would start with empty stores and
      // leave them waiting for ever: the simulator passes its own).
      const publishedWhileAway = publishTick(1, true);
      await p.broker.start();
      const brokerBackMs = Date.now() - droppedAt;
      await expect.poll(() => reconnectedAt.jittered.size + reconnectedAt.fixed.size, { timeout: 180_000, interval: 500 }).toBe(ids.length);
      await publishedWhileAway;
      await publishTick(2);
      // Everything published outside the restart is stored; of what reached the broker in the
      // instants after it came back, Mosquitto 2.0.11 may drop what arrived before ingest had
      // subscribed again (the defect faults.e2e.test.ts pins): counted, not asserted.
      const outside = [...expected].filter(([key]) => !sentWhileAway.has(key));
      await expect.poll(async () => { const stored = await storedReadings(p); return outside.filter(([key]) => !stored.has(key)).length; }, { timeout: 120_000, interval: 1_000 }).toBe(0);
      const stored = await storedReadings(p);
      for (const [key, value] of stored) expect(expected.get(key), key).toBe(value);
      const lostWhileAway = [...sentWhileAway].filter((key) => !stored.has(key)).length;

      const spread = (times: Map<string, number>) => {
        const afterMs = [...times.values()].map((at) => at - droppedAt).sort((a, b) => a - b);
        const at = (q: number) => afterMs[Math.min(afterMs.length - 1, Math.floor(q * afterMs.length))]!;
        const perBin = new Map<number, number>();
        for (const ms of afterMs) perBin.set(Math.floor(ms / 100), (perBin.get(Math.floor(ms / 100)) ?? 0) + 1);
        return `p5 ${at(0.05)}, p50 ${at(0.5)}, p95 ${at(0.95)}, last ${afterMs.at(-1)} ms; at most ${Math.max(...perBin.values())} of ${afterMs.length} in any 100 ms`;
      };
      console.log(`broker stopped and answering again after ${brokerBackMs} ms; ${lostWhileAway} of the ${sentWhileAway.size} readings published while it was away lost in its restart; devices back, from the drop:\n  jittered back-off: ${spread(reconnectedAt.jittered)}\n  fixed 1 s (mqtt.js default): ${spread(reconnectedAt.fixed)}`);
      await expectAggregatedAsAccounted(chaos.env.stack, p);
    } finally {
      await Promise.all([connections.jittered.close(), connections.fixed.close()]);
    }
  });
});
