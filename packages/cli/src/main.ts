import { readFile } from 'node:fs/promises';
import { KafkaBus } from '@meterline/bus-kafka';
import { openRegistryTopic } from './registry-topic.ts';
import { run } from './run.ts';

// Thin entry point: real file reads, streams and Kafka, then the exit code.
process.exitCode = await run(process.argv.slice(2), {
  readFile: (path) => readFile(path, 'utf8'),
  stdout: (text) => void process.stdout.write(text),
  stderr: (text) => void process.stderr.write(text),
  manual: { fetch: (url, init) => fetch(url, init), env: process.env },
  registry: {
    env: process.env,
    now: () => new Date(),
    connectRegistry: async ({ brokers, topic }, warn) => {
      const bus = new KafkaBus({ brokers, clientId: 'meterline-cli-registry' });
      try {
        const client = await openRegistryTopic({ consumer: (options) => bus.consumer(options), producer: () => bus.producer() }, topic, warn);
        return { ...client, close: async () => {
          await client.close();
          await bus.close();
        } };
      } catch (error) {
        await bus.close();
        throw error;
      }
    },
  },
});
