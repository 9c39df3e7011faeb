import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface KafkaPerfResult {
  records: number;
  producerRecordsPerSecond: number;
  consumerRecordsPerSecond: number;
}

/**
 * Kafka's own ProducerPerformance then ConsumerPerformance (from the kafka-tools jars) on `topic`:
 * the records are drawn from `payloadFile` (one per line), produced with acks=all and
 * idempotence as our producers are, in batches of up to 256 kB (ingest sends up to 5 000 records
 * per request), then read back by a fresh consumer group.
 */
export async function kafkaPerf(options: { java: string; classpath: string; brokers: string; topic: string; payloadFile: string; records: number }): Promise<KafkaPerfResult> {
  const { java, classpath, brokers, topic, payloadFile, records } = options;
  const java17 = ['-Xmx512m', '-cp', classpath];
  const produced = await run(
    java,
    [...java17, 'org.apache.kafka.tools.ProducerPerformance', '--topic', topic, '--num-records', String(records), '--throughput', '-1', '--payload-file', payloadFile,
      '--producer-props', `bootstrap.servers=${brokers}`, 'acks=all', 'enable.idempotence=true', 'linger.ms=5', 'batch.size=262144', 'compression.type=none'],
    { maxBuffer: 16 * 1024 * 1024 },
  );
  // Its last line: "N records sent, R records/sec (M MB/sec), …".
  const sent = /(\d+) records sent, ([\d.]+) records\/sec/.exec(produced.stdout.split('\n').filter(Boolean).at(-1) ?? '');
  if (!sent) throw new Error(`ProducerPerformance printed no summary: ${produced.stdout.slice(-500)} ${produced.stderr.slice(-500)}`);
  const consumed = await run(java, [...java17, 'org.apache.kafka.tools.ConsumerPerformance', '--bootstrap-server', brokers, '--topic', topic, '--messages', String(records), '--timeout', '60000'], {
    maxBuffer: 16 * 1024 * 1024,
  });
  // A header line naming the columns, then one line of values; fetch.nMsg.sec leaves out the group's join.
  const lines = consumed.stdout.split('\n').filter((l) => l.includes(','));
  const header = lines.at(-2)?.split(',').map((c) => c.trim()) ?? [];
  const values = lines.at(-1)?.split(',').map((c) => c.trim()) ?? [];
  const column = header.indexOf('fetch.nMsg.sec');
  if (column < 0) throw new Error(`ConsumerPerformance printed no fetch.nMsg.sec: ${consumed.stdout.slice(-500)} ${consumed.stderr.slice(-500)}`);
  return { records: Number(sent[1]), producerRecordsPerSecond: Number(sent[2]), consumerRecordsPerSecond: Number(values[column]) };
}
