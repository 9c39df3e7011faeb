import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { Type } from '@sinclair/typebox';
import { afterEach, describe, expect, it } from 'vitest';
import { InMemoryBus, type ConsumerOptions } from '@meterline/bus';
import { ConfigError, createLogger } from '@meterline/service-kit';
import { RegistryConfigProperties, loadConfigWithRegistry, registryPublisher, registrySourceFromConfig, type ConfiguredRegistry } from '../src/index.ts';
import { enterpriseJson, entry } from './registry-fixtures.ts';

const Schema = Type.Object({ kafkaBrokers: Type.Array(Type.String({ minLength: 1 }), { minItems: 1 }), ...RegistryConfigProperties });

const problemsOf = (env: NodeJS.ProcessEnv): string[] => {
  try {
    loadConfigWithRegistry(Schema, env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
};

describe('registry config: exactly one of MTL_REGISTRY_FILE and MTL_REGISTRY_TOPIC', () => {
  it('takes either', () => {
    expect(loadConfigWithRegistry(Schema, { MTL_KAFKA_BROKERS: 'k:9092', MTL_REGISTRY_FILE: 'registry.yaml' })).toEqual({ kafkaBrokers: ['k:9092'], registryFile: 'registry.yaml' });
    expect(loadConfigWithRegistry(Schema, { MTL_KAFKA_BROKERS: 'k:9092', MTL_REGISTRY_TOPIC: 'meterline.registry.v1' })).toEqual({ kafkaBrokers: ['k:9092'], registryTopic: 'meterline.registry.v1' });
  });

  it('refuses neither and both, saying which', () => {
    expect(problemsOf({ MTL_KAFKA_BROKERS: 'k:9092' })).toEqual([
      'MTL_REGISTRY_FILE, MTL_REGISTRY_TOPIC: neither is set; set exactly one (a registry manifest file, or the registry topic, e.g. meterline.registry.v1)',
    ]);
    expect(problemsOf({ MTL_KAFKA_BROKERS: 'k:9092', MTL_REGISTRY_FILE: 'r.yaml', MTL_REGISTRY_TOPIC: 'meterline.registry.v1' })).toEqual([
      'MTL_REGISTRY_FILE, MTL_REGISTRY_TOPIC: both are set; set exactly one (the registry comes from a manifest file or from the registry topic, not both)',
    ]);
  });

  it('lists the registry problem with every other bad key', () => {
    expect(problemsOf({ MTL_REGISTRY_TOPIC: '' })).toEqual(['MTL_KAFKA_BROKERS: is required', 'MTL_REGISTRY_TOPIC: must NOT have fewer than 1 characters']);
    expect(problemsOf({})).toEqual(['MTL_KAFKA_BROKERS: is required', expect.stringMatching(/^MTL_REGISTRY_FILE, MTL_REGISTRY_TOPIC: neither is set/)]);
  });
});

describe('registrySourceFromConfig', () => {
  const lines: Record<string, unknown>[] = [];
  let onLine: (() => void) | undefined;
  const log = createLogger(
    'test',
    'info',
    new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
        onLine?.();
        done();
      },
    }),
  );
  /** Resolves once a line with this message has been logged. */
  const logged = (msg: string) =>
    new Promise<void>((resolve) => {
      onLine = () => {
        if (lines.some((l) => l['msg'] === msg)) resolve();
      };
      onLine?.();
    });
  const opened: ConfiguredRegistry[] = [];
  const dirs: string[] = [];
  afterEach(async () => {
    lines.length = 0;
    await Promise.all(opened.splice(0).map((r) => r.close()));
    await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
  });

  it('reads the file as before: a bad new file is reported and the previous manifest kept', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'registry-config-'));
    dirs.push(dir);
    const file = join(dir, 'registry.yaml');
    await writeFile(file, JSON.stringify({ version: 1, enterprises: [enterpriseJson('e1')] }));
    const registry = await registrySourceFromConfig({ registryFile: file }, { consumer: () => Promise.reject(new Error('no bus in file mode')), service: 'test', instanceId: 'i1', log });
    opened.push(registry);
    expect(registry.kind).toBe('file');
    expect((await registry.source.current()).enterprises.map((e) => e.id)).toEqual(['e1']);

    await writeFile(file, JSON.stringify({ version: 1, enterprises: [enterpriseJson('e1', ['e1-d0'], { timeZone: 'Nowhere' })], padding: 'changed size' }));
    expect((await registry.source.current()).enterprises[0]!.timeZone).toBe('Asia/Shanghai');
    expect(lines).toEqual([expect.objectContaining({ level: 50, file, msg: 'registry file invalid; keeping the previous one' })]);
  });

  it('reads the topic to its end before it resolves, with a consumer group of its own, and logs each change after', async () => {
    const bus = new InMemoryBus();
    const publisher = registryPublisher(bus.producer(), 'registry');
    const v1 = entry(enterpriseJson('e1'));
    await publisher.publish(v1);
    const asked: ConsumerOptions[] = [];
    const registry = await registrySourceFromConfig(
      { registryTopic: 'registry' },
      {
        consumer: (options) => {
          asked.push(options);
          return bus.consumer(options);
        },
        service: 'ingest',
        instanceId: 'ingest-1',
        log,
      },
    );
    opened.push(registry);
    if (registry.kind !== 'topic') throw new Error('expected the topic');
    expect(asked).toEqual([{ groupId: expect.stringMatching(/^meterline-ingest-ingest-1-registry-/) as unknown, topics: ['registry'], fromBeginning: true, ephemeral: true }]);
    // Resolved: caught up, so the latest manifest is the whole registry.
    expect(registry.source.latest().enterprises.map((e) => e.id)).toEqual(['e1']);
    expect(lines).toEqual([expect.objectContaining({ topic: 'registry', enterprises: 1, msg: 'registry read from its topic' })]);

    const applied = logged('registry entry applied');
    await publisher.publish(entry(enterpriseJson('e1', ['e1-d0', 'e1-d1']), v1));
    await applied;
    expect(registry.source.version('e1')).toBe(2);
    expect(lines.at(-1)).toMatchObject({ level: 30, topic: 'registry', enterprise: 'e1', version: 2, uploadedBy: 'test', msg: 'registry entry applied' });
  });

  it('refuses settings naming neither or both', async () => {
    const deps = { consumer: () => Promise.reject(new Error('unused')), service: 'test', instanceId: 'i1', log };
    await expect(registrySourceFromConfig({}, deps)).rejects.toBeInstanceOf(ConfigError);
    await expect(registrySourceFromConfig({ registryFile: 'a', registryTopic: 'b' }, deps)).rejects.toThrow('both are set');
  });
});
