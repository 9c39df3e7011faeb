import type { BusProducer } from '@meterline/bus';
import { figureBatchCodec, restatementCodec, type FigureV1, type RestatementV1 } from '@meterline/contracts';
import type { FigurePublisher } from './aggregate-enterprise.ts';

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
        batches.push(figureBatchCodec.encode({ v: 1, enterpriseId, computedAt, figures: figures.slice(i, i + options.maxFiguresPerMessage) }, enterpriseId));
      }
      // Restatements first: a reader of the figures topic that sees a new value can find why.
      if (restatements.length > 0) {
        const records = restatements.map((r) => restatementCodec.encode(r, enterpriseId));
        await options.producer.send(options.topics.restatements, records);
      }
      await options.producer.send(options.topics.figures, batches);
    },
  };
}
