import { InMemoryBus } from '../src/index.ts';
import { busContract } from './bus-contract.ts';

let topicCount = 0;

busContract('in-memory', async () => {
  const bus = new InMemoryBus();
  return {
    producer: () => bus.producer(),
    consumer: (options) => bus.consumer(options),
    newTopic: async () => `topic-${++topicCount}`,
    close: async () => undefined,
  };
});
