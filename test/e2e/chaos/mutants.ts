/**
 * The chaos suite's mutants (issue 18: "each case was first shown to detect loss"). Each is a
 * defect someone could plausibly write, undoing one protection the pipeline relies on; run on the
 * chaos cases that lean on that protection (`pnpm test:chaos:mutants`), each case must fail. A
 * case that still passes with its mutant proves less than its title says.
 *
 * Each edit replaces text that occurs exactly once in its file (a unit test checks that they all
 * still do, so the list cannot rot silently as the code moves).
 */
export interface MutantEdit {
  /** From the repository's root. */
  file: string;
  find: string;
  replace: string;
}

interface ChaosCase {
  /** Under test/e2e/chaos. */
  file: string;
  /** The start of the case's `it` title, enough to name it alone. */
  title: string;
}

export interface ChaosMutant {
  name: string;
  /** The defect, and what a case must see of it. */
  defect: string;
  edits: MutantEdit[];
  cases: ChaosCase[];
}

const PIPELINE = 'pipeline-faults.chaos.test.ts';
const CLIENT_LIBRARIES = 'client-library-faults.chaos.test.ts';

export const CHAOS_MUTANTS: readonly ChaosMutant[] = [
  {
    name: 'ingest-acknowledges-unsent',
    defect: 'ingest gives up a Kafka send at its first failure and acknowledges the MQTT messages anyway: the readings of that send are lost',
    edits: [
      {
        file: 'services/ingest/src/batching-publisher.ts',
        find: '        this.options.onSendFailure(error, attempt);\n',
        replace: "        this.options.onSendFailure(error, attempt);\n        for (const waiter of waiters) waiter.resolve();\n        return 'failed';\n",
      },
    ],
    cases: [
      { file: PIPELINE, title: 'the whole cluster SIGKILLed for at least 30 s mid-stream' },
      { file: CLIENT_LIBRARIES, title: 'kafkajs (the writers) and @platformatic/kafka (ingest) time out their requests' },
    ],
  },
  {
    name: 'ingest-acknowledges-before-kafka',
    defect: "ingest acknowledges an MQTT message once its records are handed to the publisher, before Kafka has them: what the publisher holds dies with the process",
    edits: [
      {
        file: 'services/ingest/src/app.ts',
        find: '      await publisher.publish(records, replaceTooLarge(origin));\n',
        replace: '      void publisher.publish(records, replaceTooLarge(origin)).catch(() => undefined);\n',
      },
    ],
    cases: [{ file: PIPELINE, title: 'a 30 s network partition between the ingests and every Kafka node' }],
  },
  {
    name: 'writer-refuses-on-store-outage',
    defect: 'the writer takes a failed write as a refusal for good: while InfluxDB is unreachable, readings are dead-lettered STORE_REJECTED and their batch committed instead of held',
    edits: [
      {
        file: 'services/writer/src/app.ts',
        find: "hold(batch, 'write', { points: points.length }, (e) => e.canRetry)",
        replace: "hold(batch, 'write', { points: points.length }, () => false)",
      },
    ],
    // Not the writers' partition case, which it passed: a refused write is halved until the point at
    // fault is found, and the halves tried after the 30 s partition are stored; see the next mutant.
    cases: [
      { file: PIPELINE, title: 'an InfluxDB replica SIGKILLed for 2 minutes mid-stream' },
      { file: CLIENT_LIBRARIES, title: 'the InfluxDB client times out, then has its connections reset' },
    ],
  },
  {
    name: 'writer-passes-over-a-failed-write',
    defect: 'the writer logs a failed write and goes on as if it were stored, without retrying: the batch is committed and its readings are lost',
    edits: [
      {
        file: 'services/writer/src/app.ts',
        find: "hold(batch, 'write', { points: points.length }, (e) => e.canRetry)",
        replace: "hold(batch, 'write', { points: points.length }, () => false)",
      },
      {
        file: 'services/writer/src/app.ts',
        find: "      metrics.writeFailures.inc({ retryable: 'false', operation: 'write' });\n      return error;\n",
        replace: "      metrics.writeFailures.inc({ retryable: 'false', operation: 'write' });\n      return undefined;\n",
      },
    ],
    cases: [{ file: PIPELINE, title: 'a 30 s network partition between the writers and InfluxDB' }],
  },
  {
    name: 'ingest-trusts-a-restored-subscription',
    defect:
      "ingest skips subscribing when the broker says its session is present, as MQTT allows; Mosquitto 2.0.11 restores a `$share` subscription after a restart but delivers nothing to it, so after a broker restart nothing reaches ingest",
    edits: [
      {
        file: 'packages/mqtt-source/src/pipelined-session.ts',
        find: "    this.options.log('info', 'mqtt connected', { clientId: this.options.clientId, sessionPresent: connack.sessionPresent });\n",
        replace:
          "    this.options.log('info', 'mqtt connected', { clientId: this.options.clientId, sessionPresent: connack.sessionPresent });\n    if (connack.sessionPresent) {\n      this.subacked({ cmd: 'suback', granted: [] } as unknown as ISubackPacket);\n      this.keepAlive(link);\n      return;\n    }\n",
      },
    ],
    cases: [{ file: PIPELINE, title: 'Mosquitto restarted while 1 000 devices are connected' }],
  },
  {
    name: 'ingest-ignores-a-silent-broker',
    defect: 'ingest never drops a connection on which the broker has gone silent past the keep-alive: a hung broker leaves ingest waiting, and saying it is healthy',
    edits: [
      {
        file: 'packages/mqtt-source/src/pipelined-session.ts',
        find: 'if (!link.socket.isPaused() && now - link.lastHeardMs > keepaliveMs * 1.5) {',
        replace: 'if (false) {',
      },
    ],
    cases: [{ file: CLIENT_LIBRARIES, title: "ingest's MQTT connections time out on their keep-alive" }],
  },
  {
    name: 'ingest-records-no-sequence',
    defect: "ingest sends no device-sequence record with a payload's readings: a payload lost before ingest leaves no gap in its device's seq, so the loss is silent",
    edits: [
      {
        file: 'services/ingest/src/app.ts',
        find: '        ...(sequence\n',
        replace: '        ...(false && sequence\n',
      },
    ],
    cases: [{ file: PIPELINE, title: 'Mosquitto SIGKILLed while ingest is down' }],
  },
  {
    name: 'consumer-commits-before-handling',
    defect: "the Kafka consumer commits a batch's offsets before its handler has done the work: an instance killed mid-job leaves that job committed and never done",
    edits: [
      {
        file: 'packages/bus-kafka/src/kafka-bus.ts',
        find: '            try {\n              await handler({\n',
        replace:
          '            await consumer.commitOffsets([{ topic: batch.topic, partition: batch.partition, offset: (BigInt(last.offset) + 1n).toString() }]);\n            try {\n              await handler({\n',
      },
    ],
    cases: [{ file: 'aggregator-faults.chaos.test.ts', title: 'an aggregator SIGKILLed mid-backfill' }],
  },
  {
    name: 'api-reads-the-primary-only',
    defect: 'the API ignores its InfluxDB replicas: with the primary dead it cannot answer readings or figures',
    edits: [
      {
        file: 'services/api/src/series/influx-replica-set.ts',
        find: '  if (replicaUrls.length === 0) return { store: first, queries: first };\n',
        replace: '  return { store: first, queries: first };\n',
      },
    ],
    cases: [{ file: 'influx-read-failover.chaos.test.ts', title: 'the primary InfluxDB SIGKILLed' }],
  },
];

/**
 * Cases no mutant tried has made fail: what they prove is in their titles and test/README.md, but
 * not yet that they would catch a loss. Each says which mutant passed it and why.
 */
export const CHAOS_GAPS: readonly (ChaosCase & { why: string })[] = [
  {
    file: PIPELINE,
    title: "the readings topic's partition leader SIGKILLed mid-stream",
    why: 'ingest-acknowledges-unsent passed it: @platformatic/kafka rode out the leader change within its own retries, so no send failed. A loss here needs records acknowledged by a leader alone (acks=1) and not yet replicated when it dies, a window this stream does not reliably hit',
  },
  {
    file: PIPELINE,
    title: 'the bandwidth between the ingests and every Kafka node limited to 1 KB/s',
    why: "ingest-acknowledges-unsent passed it: at 1 KB/s sends are slow, not failed, inside the libraries' 30 s request timeout. It shows back-pressure and the catch-up (the writers' lag back to 0), not loss",
  },
];
