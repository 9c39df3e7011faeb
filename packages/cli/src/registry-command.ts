import { nextEntry, type EnterpriseJson, type RegistryEntryV1 } from '@meterline/contracts';
import { createFactorCatalog, parseManifest, type Enterprise } from '@meterline/domain';
import { RegistryEntryError, formatEntryProblems, idClaimConflicts, type RegistryRecordRejected } from '@meterline/feeds';
import { EXIT_INPUT, EXIT_NO_INPUT, EXIT_OK, EXIT_UNAVAILABLE, EXIT_USAGE, formatInputError, type CommandIo } from './command-io.ts';
import { describeEnterpriseChange } from './registry-changes.ts';
import type { RegistryTopicClient } from './registry-topic.ts';

const DEFAULT_TOPIC = 'meterline.registry.v1';

const REGISTRY_USAGE = `usage: meterline registry push <manifest.yaml> [--enterprise <id>] [--by <name>] [--dry-run]
                               [--brokers <host:port,...>] [--topic <name>]
  brokers: --brokers, or MTL_KAFKA_BROKERS; topic: --topic, or MTL_REGISTRY_TOPIC, or ${DEFAULT_TOPIC}`;

/** What `registry push` needs from the outside world besides files and output. */
export interface RegistryDeps {
  /** Connects to the registry topic and reads it to its end; records its readers skip go to `warn`. */
  connectRegistry(target: { brokers: string[]; topic: string }, warn: (rejected: RegistryRecordRejected) => void): Promise<RegistryTopicClient>;
  env: Readonly<Record<string, string | undefined>>;
  now(): Date;
}

interface PushArgs {
  manifest: string;
  enterprise?: string;
  by?: string;
  dryRun: boolean;
  brokers?: string;
  topic?: string;
}

const VALUE_OPTIONS = ['--enterprise', '--by', '--brokers', '--topic'] as const;

function parsePushArgs(argv: readonly string[]): { ok: true; args: PushArgs } | { ok: false; errors: string[] } {
  const errors: string[] = [];
  const values: Record<string, string> = {};
  const files: string[] = [];
  let dryRun = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--dry-run') dryRun = true;
    else if ((VALUE_OPTIONS as readonly string[]).includes(a)) {
      const v = argv[i + 1];
      if (v === undefined || v.startsWith('--')) errors.push(`${a} needs a value`);
      else values[a] = v;
      i++;
    } else if (a.startsWith('--')) errors.push(`unknown argument "${a}"`);
    else files.push(a);
  }
  if (files.length !== 1) errors.push(files.length === 0 ? 'a manifest file is required' : `one manifest file, got ${files.length}: ${files.join(' ')}`);
  const by = values['--by'];
  if (by !== undefined && by.length > 256) errors.push('--by is at most 256 characters');
  if (errors.length > 0) return { ok: false, errors };
  return {
    ok: true,
    args: {
      manifest: files[0]!,
      dryRun,
      ...(values['--enterprise'] !== undefined ? { enterprise: values['--enterprise'] } : {}),
      ...(by !== undefined ? { by } : {}),
      ...(values['--brokers'] !== undefined ? { brokers: values['--brokers'] } : {}),
      ...(values['--topic'] !== undefined ? { topic: values['--topic'] } : {}),
    },
  };
}

const asJson = (enterprise: Enterprise) => enterprise as unknown as EnterpriseJson;

/**
 * `meterline registry push <manifest>`: validates the manifest locally, compares each of its
 * enterprises with the entry in force on the registry topic and publishes the changed ones,
 * each as its next version. Nothing is published when any problem is found.
 */
export async function runRegistry(argv: readonly string[], io: CommandIo, deps: RegistryDeps): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === '--help' || sub === '-h' || sub === 'help') {
    io.stdout(`${REGISTRY_USAGE}\n`);
    return EXIT_OK;
  }
  if (sub !== 'push') {
    io.stderr(`meterline registry: ${sub === undefined ? 'a subcommand is required' : `unknown subcommand "${sub}"`}\n${REGISTRY_USAGE}\n`);
    return EXIT_USAGE;
  }
  const parsedArgs = parsePushArgs(rest);
  const brokers = (parsedArgs.ok ? parsedArgs.args.brokers : undefined) ?? deps.env['MTL_KAFKA_BROKERS'];
  const brokerList = (brokers ?? '').split(',').map((b) => b.trim()).filter(Boolean);
  const errors = parsedArgs.ok ? [] : parsedArgs.errors;
  if (brokerList.length === 0) errors.push('the Kafka brokers are needed: --brokers or MTL_KAFKA_BROKERS');
  if (!parsedArgs.ok || errors.length > 0) {
    for (const e of errors) io.stderr(`meterline registry push: ${e}\n`);
    io.stderr(`${REGISTRY_USAGE}\n`);
    return EXIT_USAGE;
  }
  const args = parsedArgs.args;
  const topic = args.topic ?? deps.env['MTL_REGISTRY_TOPIC'] ?? DEFAULT_TOPIC;
  const by = args.by ?? `cli:${deps.env['USER'] ?? deps.env['USERNAME'] ?? 'unknown'}`;

  let text: string;
  try {
    text = await io.readFile(args.manifest);
  } catch (error) {
    io.stderr(`meterline registry push: cannot read ${args.manifest}: ${(error as Error).message}\n`);
    return EXIT_NO_INPUT;
  }
  const parsed = parseManifest(text, args.manifest);
  if (!parsed.ok) {
    for (const i of parsed.errors) {
      io.stderr(`${formatInputError({ file: args.manifest, ...(i.line ? { line: i.line } : {}), ...(i.column ? { column: i.column } : {}), ...(i.path ? { field: i.path } : {}), message: `${i.message} [${i.code}]` })}\n`);
    }
    return EXIT_INPUT;
  }
  const all = parsed.manifest.enterprises;
  const pushed = args.enterprise === undefined ? all : all.filter((e) => e.id === args.enterprise);
  if (pushed.length === 0) {
    io.stderr(`meterline registry push: no enterprise "${args.enterprise}" in ${args.manifest} (it has ${all.map((e) => e.id).join(', ')})\n`);
    return EXIT_USAGE;
  }
  const catalog = createFactorCatalog();
  for (const e of pushed) {
    const resolved = catalog.resolveFor(e);
    if (!resolved.ok && resolved.error.code === 'MTL_DOMAIN_FACTOR_SET_OUTSIDE_REGION') {
      io.stderr(`meterline registry push: warning: ${resolved.error.message}: the aggregator skips it until it is\n`);
    } else if (!resolved.ok) {
      io.stderr(`meterline registry push: warning: ${e.id} names factor set ${e.factorSet.name}@${e.factorSet.version}, which this version does not know: the aggregator skips it until it does\n`);
    }
  }

  let client: RegistryTopicClient;
  try {
    client = await deps.connectRegistry({ brokers: brokerList, topic }, (r) =>
      io.stderr(`meterline registry push: warning: ${r.topic} partition ${r.partition} offset ${r.offset} (${r.key ?? 'no key'}) is skipped by readers: ${r.reason} ${r.detail}\n`),
    );
  } catch (error) {
    io.stderr(`meterline registry push: cannot read the registry topic ${topic} at ${brokerList.join(',')}: ${(error as Error).message}\n`);
    return EXIT_UNAVAILABLE;
  }
  try {
    return await push(client, pushed, args, by, deps.now(), io);
  } finally {
    await client.close();
  }
}

async function push(client: RegistryTopicClient, pushed: Enterprise[], args: PushArgs, by: string, now: Date, io: CommandIo): Promise<number> {
  const inForce = client.entries();
  // Ids must stay unique across the whole registry, not only within this manifest.
  const pushedIds = new Set(pushed.map((e) => e.id));
  const others = [...inForce.values()].filter((e) => !pushedIds.has(e.enterpriseId)).map((e) => e.enterprise as unknown as Enterprise);
  const conflicts = idClaimConflicts([...others, ...pushed]).conflicts.filter((c) => pushedIds.has(c.enterprise.id));
  if (conflicts.length > 0) {
    for (const c of conflicts) io.stderr(`${args.manifest}: enterprise ${c.enterprise.id}: ${c.clashes.join('; ')} on ${client.topic}\n`);
    return EXIT_INPUT;
  }

  const changed: RegistryEntryV1[] = [];
  io.stdout(`${client.topic}: ${pushed.length} ${pushed.length === 1 ? 'enterprise' : 'enterprises'} of ${args.manifest}, ${inForce.size} on the topic\n`);
  for (const enterprise of pushed) {
    const next = nextEntry(inForce.get(enterprise.id), asJson(enterprise), by, now);
    if (!next.changed) {
      io.stdout(`  ${enterprise.id}: unchanged (version ${next.entry.version})\n`);
      continue;
    }
    changed.push(next.entry);
    const what = next.previous ? `version ${next.previous.version} -> ${next.entry.version}: ${describeEnterpriseChange(next.previous.enterprise, next.entry.enterprise)}` : `new, version ${next.entry.version}`;
    io.stdout(`  ${enterprise.id}: ${what}\n`);
  }
  if (args.dryRun) {
    io.stdout(`dry run: ${changed.length} ${changed.length === 1 ? 'entry' : 'entries'} would be published\n`);
    return EXIT_OK;
  }
  for (const [n, entry] of changed.entries()) {
    try {
      await client.publish(entry);
    } catch (error) {
      const published = n > 0 ? ` (published before it: ${changed.slice(0, n).map((e) => `${e.enterpriseId} version ${e.version}`).join(', ')})` : '';
      if (error instanceof RegistryEntryError) {
        io.stderr(`${args.manifest}: enterprise ${error.enterpriseId}: ${formatEntryProblems(error.problems)}${published}\n`);
        return EXIT_INPUT;
      }
      io.stderr(`meterline registry push: publishing ${entry.enterpriseId} version ${entry.version} to ${client.topic} failed: ${(error as Error).message}${published}\n`);
      return EXIT_UNAVAILABLE;
    }
  }
  io.stdout(`published ${changed.length} ${changed.length === 1 ? 'entry' : 'entries'} to ${client.topic} as ${by}\n`);
  return EXIT_OK;
}
