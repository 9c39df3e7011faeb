import { InMemoryBus } from '../src/index.ts';
import { busContract } from './bus-contract.ts';

let topicCount = 0;

busContract('in-memory', () => {
  const bus = new InMemoryBus();
  return Promise.resolve({
    producer: () => bus.producer(),
    consumer: (options) => bus.consumer(options),
    keyPartitioner: (topic) => bus.keyPartitioner(topic),
    newTopic: () => Promise.resolve(`topic-${++topicCount}`),
    close: () => Promise.resolve(),
  });
});
