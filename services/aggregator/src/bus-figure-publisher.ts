import type { BusMessage, BusProducer } from '@meterline/bus';
import type { FigureBatchV1, FigureV1, RestatementV1 } from '@meterline/contracts';
import type { FigurePublisher } from './aggregate-enterprise.ts';

/**
 * Kafka takes one send of one key as one record batch, and refuses a batch above the
 * broker's message.max.bytes (1 MiB by default): sends are cut to stay well under it.
 */
const MAX_SEND_BYTES = 512 * 1024;

async function sendBounded(producer: BusProducer, topic: string, messages: BusMessage[]): Promise<void> {
  let group: BusMessage[] = [];
  let bytes = 0;
  for (const m of messages) {
    if (group.length > 0 && bytes + m.value.length > MAX_SEND_BYTES) {
      await producer.send(topic, group);
      group = [];
      bytes = 0;
    }
    group.push(m);
    bytes += m.value.length;
  }
  if (group.length > 0) await producer.send(topic, group);
}

/**
 * Announces figures on the figures topic in batches of bounded size (a day of 15-minute
 * figures of a large enterprise would exceed Kafka's default message size), and each
 * restatement as its own record; both keyed by enterprise.
 */
export function busFigurePublisher(options: { producer: BusProducer; topics: { figures: string; restatements: string }; maxFiguresPerMessage: number }): FigurePublisher {
  return {
    async publish(enterpriseId: string, figures: FigureV1[], restatements: RestatementV1[]) {
      const computedAt = new Date().toISOString();
      const batches = [];
      for (let i = 0; i < figures.length; i += options.maxFiguresPerMessage) {
        const batch: FigureBatchV1 = { v: 1, enterpriseId, computedAt, figures: figures.slice(i, i + options.maxFiguresPerMessage) };
        batches.push({ key: enterpriseId, value: Buffer.from(JSON.stringify(batch)) });
      }
      // Restatements first: a reader of the figures topic that sees a new value can find why.
      if (restatements.length > 0) {
        const records = restatements.map((r) => ({ key: enterpriseId, value: Buffer.from(JSON.stringify(r)) }));
        await sendBounded(options.producer, options.topics.restatements, records);
      }
      await sendBounded(options.producer, options.topics.figures, batches);
    },
  };
}
