import { Type, type Static, type TObject } from '@sinclair/typebox';
import type { BusConsumer, ConsumerOptions } from '@meterline/bus';
import { ConfigError, envName, loadConfig, type Logger } from '@meterline/service-kit';
import { fileRegistrySource, type RegistrySource } from './registry-file-source.ts';
import { registryTopicGroupId, startTopicRegistrySource, type TopicRegistrySource } from './topic-registry-source.ts';

/** Where a service reads the registry from, to spread into its config schema: exactly one of the two. */
export const RegistryConfigProperties = {
  /** A registry manifest file, reread when it changes (by ingest on SIGHUP). */
  registryFile: Type.Optional(Type.String({ minLength: 1 })),
  /** The compacted registry topic (meterline.registry.v1): read from its beginning at start, then followed. */
  registryTopic: Type.Optional(Type.String({ minLength: 1 })),
};

export interface RegistrySettings {
  registryFile?: string | undefined;
  registryTopic?: string | undefined;
}

type RegistryChoice = { ok: true; kind: 'file'; file: string } | { ok: true; kind: 'topic'; topic: string } | { ok: false; problem: string };

function registryChoice({ registryFile, registryTopic }: RegistrySettings): RegistryChoice {
  const keys = `${envName('registryFile')}, ${envName('registryTopic')}`;
  if (registryFile !== undefined && registryTopic !== undefined) {
    return { ok: false, problem: `${keys}: both are set; set exactly one (the registry comes from a manifest file or from the registry topic, not both)` };
  }
  if (registryFile !== undefined) return { ok: true, kind: 'file', file: registryFile };
  if (registryTopic !== undefined) return { ok: true, kind: 'topic', topic: registryTopic };
  return { ok: false, problem: `${keys}: neither is set; set exactly one (a registry manifest file, or the registry topic, e.g. meterline.registry.v1)` };
}

/**
 * loadConfig for a schema with RegistryConfigProperties: also refuses neither or both of
 * MTL_REGISTRY_FILE and MTL_REGISTRY_TOPIC, listed with every other bad key.
 */
export function loadConfigWithRegistry<S extends TObject>(schema: S, env: NodeJS.ProcessEnv = process.env): Readonly<Static<S>> {
  const choice = registryChoice({ registryFile: env[envName('registryFile')], registryTopic: env[envName('registryTopic')] });
  const extra = choice.ok ? [] : [choice.problem];
  let config: Readonly<Static<S>>;
  try {
    config = loadConfig(schema, env);
  } catch (error) {
    if (error instanceof ConfigError && extra.length > 0) throw new ConfigError([...error.problems, ...extra]);
    throw error;
  }
  if (extra.length > 0) throw new ConfigError(extra);
  return config;
}

/** loadConfigOrExit with the registry rule of loadConfigWithRegistry. */
export function loadConfigWithRegistryOrExit<S extends TObject>(service: string, schema: S): Readonly<Static<S>> {
  try {
    return loadConfigWithRegistry(schema);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`meterline ${service}: ${error.message}\n`);
    process.exit(2);
  }
}

export interface RegistrySourceDeps {
  /** Makes the consumer of the registry topic (topic mode only) with the options given: the topic, a group of its own, from the beginning. */
  consumer: (options: ConsumerOptions) => Promise<BusConsumer> | BusConsumer;
  /** Name the consumer group, with a part unique to this start. */
  service: string;
  instanceId: string;
  log: Logger;
}

export type ConfiguredRegistry =
  | { kind: 'file'; file: string; source: RegistrySource; close(): Promise<void> }
  | { kind: 'topic'; topic: string; source: TopicRegistrySource; close(): Promise<void> };

/**
 * The registry a service's config names: the manifest file (as before: reread when it changes,
 * a bad new file reported and the previous one kept), or the registry topic, read to its end
 * before this resolves and followed after, so an uploaded entry takes effect without a restart.
 */
export async function registrySourceFromConfig(settings: RegistrySettings, deps: RegistrySourceDeps): Promise<ConfiguredRegistry> {
  const choice = registryChoice(settings);
  if (!choice.ok) throw new ConfigError([choice.problem]);
  const { log } = deps;
  if (choice.kind === 'file') {
    const { file } = choice;
    const source = await fileRegistrySource(file, (problems) => log.error({ file, problems }, 'registry file invalid; keeping the previous one'));
    return { kind: 'file', file, source, close: () => Promise.resolve()};
  }
  const { topic } = choice;
  const groupId = registryTopicGroupId(deps.service, deps.instanceId);
  let caughtUp = false;
  const source = await startTopicRegistrySource({
    consumer: await deps.consumer({ groupId, topics: [topic], fromBeginning: true, ephemeral: true }),
    onRejected: (rejected) =>
      log.error(
        rejected,
        rejected.reason === 'CONFLICT'
          ? 'registry entry left out: it holds ids of an enterprise uploaded earlier'
          : 'registry record skipped; the enterprise keeps its previous entry',
      ),
    onApplied: ({ enterpriseId, entry }) => {
      // Once caught up: a line per change, not one per enterprise at every start.
      if (!caughtUp) return;
      if (entry) log.info({ topic, enterprise: enterpriseId, version: entry.version, registryHash: entry.registryHash, uploadedBy: entry.uploadedBy }, 'registry entry applied');
      else log.info({ topic, enterprise: enterpriseId }, 'enterprise removed from the registry');
    },
  });
  try {
    await source.ready();
  } catch (error) {
    await source.close();
    throw error;
  }
  caughtUp = true;
  log.info({ topic, groupId, enterprises: source.latest().enterprises.length }, 'registry read from its topic');
  return { kind: 'topic', topic, source, close: () => source.close() };
}
