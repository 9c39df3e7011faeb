import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { InMemoryBus } from '@meterline/bus';
import { registryHash, registryRecord, type RegistryEntryV1 } from '@meterline/contracts';
import { EXIT_INPUT, EXIT_NO_INPUT, EXIT_OK, EXIT_UNAVAILABLE, EXIT_USAGE, openRegistryTopic, run } from '../src/index.ts';

const TOPIC = 'meterline.registry.v1';
const NOW = new Date('2026-11-27T08:00:00.000Z');

const point = (id: string) => ({
  id,
  carrier: 'electricity',
  quantity: 'active-energy-import',
  unit: 'kWh',
  accuracyClass: 1,
  calibration: { certificate: `${id}-cal`, validFrom: '2024-01-01', validUntil: '2030-12-31' },
  topology: { role: 'boundary-input' },
});

const enterprise = (id: string, devices: string[] = [`${id}-d0`], over: Record<string, unknown> = {}) => ({
  id,
  name: `Enterprise ${id}`,
  region: 'CN-CQ',
  gridRegion: 'southwest',
  timeZone: 'Asia/Shanghai',
  factorSet: { name: 'cn-2023', version: '1.0.0' },
  scope2Level: 'provincial',
  sites: [{ id: `${id}-s0`, name: 'Main site', meteringPoints: devices.map((d) => point(`${d}-p0`)) }],
  devices: devices.map((d) => ({ id: d, kind: 'meter', meteringPoints: [`${d}-p0`] })),
  ...over,
});

const manifest = (...enterprises: object[]) => JSON.stringify({ version: 1, enterprises }, null, 2);

/** The command on an in-memory bus; files by name, the real fixtures under fixtures/. */
async function push(bus: InMemoryBus, files: Record<string, string>, argv: string[], env: Record<string, string> = { MTL_KAFKA_BROKERS: 'in-memory:9092', USER: 'alice' }) {
  let stdout = '';
  let stderr = '';
  let connected = 0;
  const code = await run(['registry', ...argv], {
    readFile: async (path) => files[path] ?? readFile(fileURLToPath(new URL(`./fixtures/${path}`, import.meta.url)), 'utf8'),
    stdout: (t) => void (stdout += t),
    stderr: (t) => void (stderr += t),
    registry: {
      env,
      now: () => NOW,
      connectRegistry: ({ topic }, warn) => {
        connected++;
        return openRegistryTopic({ consumer: (o) => bus.consumer(o), producer: () => bus.producer() }, topic, warn);
      },
    },
  });
  return { code, stdout, stderr, connected };
}

const onTopic = (bus: InMemoryBus, topic = TOPIC) => bus.messagesOf(topic).map((m) => (m.value.length === 0 ? null : (JSON.parse(m.value.toString()) as RegistryEntryV1)));

describe('meterline registry push', () => {
  it('publishes every enterprise of a first upload as version 1, by the user', async () => {
    const bus = new InMemoryBus();
    const r = await push(bus, { 'm.yaml': manifest(enterprise('e1'), enterprise('e2')) }, ['push', 'm.yaml']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(EXIT_OK);
    expect(r.stdout).toBe(`${TOPIC}: 2 enterprises of m.yaml, 0 on the topic\n  e1: new, version 1\n  e2: new, version 1\npublished 2 entries to ${TOPIC} as cli:alice\n`);
    const entries = onTopic(bus);
    expect(entries.map((e) => [e?.enterpriseId, e?.version, e?.uploadedBy, e?.uploadedAt]).sort()).toEqual([
      ['e1', 1, 'cli:alice', NOW.toISOString()],
      ['e2', 1, 'cli:alice', NOW.toISOString()],
    ]);
    expect(entries.every((e) => e !== null && e.registryHash === registryHash(e.enterprise))).toBe(true);
  });

  it('publishes only what changed, as the next version, and says what changed', async () => {
    const bus = new InMemoryBus();
    await push(bus, { 'm.yaml': manifest(enterprise('e1'), enterprise('e2')) }, ['push', 'm.yaml']);
    const again = await push(bus, { 'm.yaml': manifest(enterprise('e1'), enterprise('e2')) }, ['push', 'm.yaml']);
    expect(again.stdout).toBe(`${TOPIC}: 2 enterprises of m.yaml, 2 on the topic\n  e1: unchanged (version 1)\n  e2: unchanged (version 1)\npublished 0 entries to ${TOPIC} as cli:alice\n`);
    expect(onTopic(bus)).toHaveLength(2);

    const changed = manifest(enterprise('e1', ['e1-d1'], { name: 'Renamed' }), enterprise('e2'));
    const r = await push(bus, { 'm.yaml': changed }, ['push', 'm.yaml', '--by', 'ops-admin']);
    expect(r.code).toBe(EXIT_OK);
    expect(r.stdout).toContain('  e1: version 1 -> 2: metering points +e1-d1-p0 -e1-d0-p0; devices +e1-d1 -e1-d0; fields name\n  e2: unchanged (version 1)\n');
    expect(r.stdout).toContain('published 1 entry to meterline.registry.v1 as ops-admin');
    expect(onTopic(bus).filter((e) => e?.enterpriseId === 'e1').map((e) => [e?.version, e?.uploadedBy])).toEqual([
      [1, 'cli:alice'],
      [2, 'ops-admin'],
    ]);
  });

  it('pushes one enterprise with --enterprise, and a dry run publishes nothing', async () => {
    const bus = new InMemoryBus();
    const files = { 'm.yaml': manifest(enterprise('e1'), enterprise('e2')) };
    const dry = await push(bus, files, ['push', 'm.yaml', '--dry-run']);
    expect(dry.stdout).toContain('dry run: 2 entries would be published');
    expect(onTopic(bus)).toEqual([]);
    const one = await push(bus, files, ['push', '--enterprise', 'e2', 'm.yaml']);
    expect(one.stdout).toContain('1 enterprise of m.yaml, 0 on the topic\n  e2: new, version 1\n');
    expect(onTopic(bus).map((e) => e?.enterpriseId)).toEqual(['e2']);
    const unknown = await push(bus, files, ['push', 'm.yaml', '--enterprise', 'e9']);
    expect(unknown.code).toBe(EXIT_USAGE);
    expect(unknown.stderr).toContain('no enterprise "e9" in m.yaml (it has e1, e2)');
  });

  it('refuses an invalid manifest with file, line and path (exit 65), before connecting', async () => {
    const bus = new InMemoryBus();
    const r = await push(bus, {}, ['push', 'bad-manifest.yaml']);
    expect(r.code).toBe(EXIT_INPUT);
    expect(r.stderr).toMatch(/^bad-manifest\.yaml:17:\d+: \/enterprises\/0\/sites\/0\/meteringPoints\/0\/unit: unit "m3" does not measure active-energy-import .*\[MTL_DOMAIN_MANIFEST_UNIT_MISMATCH\]$/m);
    expect(r.connected).toBe(0);
    expect((await push(bus, {}, ['push', 'missing.yaml'])).code).toBe(EXIT_NO_INPUT);
  });

  it('refuses an enterprise holding a device another enterprise on the topic holds, publishing nothing', async () => {
    const bus = new InMemoryBus();
    await push(bus, { 'a.yaml': manifest(enterprise('e1', ['e1-d0', 'shared'])) }, ['push', 'a.yaml']);
    const r = await push(bus, { 'b.yaml': manifest(enterprise('e2', ['e2-d0', 'shared'])) }, ['push', 'b.yaml']);
    expect(r.code).toBe(EXIT_INPUT);
    expect(r.stderr).toBe(`b.yaml: enterprise e2: metering point shared-p0 is enterprise e1's; device shared is enterprise e1's on ${TOPIC}\n`);
    expect(onTopic(bus).map((e) => e?.enterpriseId)).toEqual(['e1']);
    // Moving the device in one upload of both is fine.
    const moved = await push(bus, { 'c.yaml': manifest(enterprise('e1', ['e1-d0']), enterprise('e2', ['e2-d0', 'shared'])) }, ['push', 'c.yaml']);
    expect(moved.code).toBe(EXIT_OK);
  });

  it('warns of records on the topic that readers skip, and of a factor set this version does not know', async () => {
    const bus = new InMemoryBus();
    await bus.producer().send(TOPIC, [{ ...registryRecord('e1', null), value: Buffer.from('garbage') }]);
    const r = await push(bus, { 'm.yaml': manifest(enterprise('e1', ['e1-d0'], { factorSet: { name: 'cn-2099', version: '9' } })) }, ['push', 'm.yaml']);
    expect(r.code).toBe(EXIT_OK);
    expect(r.stderr).toContain('warning: e1 names factor set cn-2099@9, which this version does not know');
    expect(r.stderr).toMatch(/warning: meterline\.registry\.v1 partition \d+ offset 0 \(e1\) is skipped by readers: UNREADABLE not JSON \(7 bytes\)/);
  });

  it('needs the brokers, takes the topic from the environment, and exits 69 when the topic cannot be read', async () => {
    const bus = new InMemoryBus();
    const files = { 'm.yaml': manifest(enterprise('e1')) };
    const noBrokers = await push(bus, files, ['push', 'm.yaml'], {});
    expect(noBrokers.code).toBe(EXIT_USAGE);
    expect(noBrokers.stderr).toContain('the Kafka brokers are needed: --brokers or MTL_KAFKA_BROKERS');
    const otherTopic = await push(bus, files, ['push', 'm.yaml', '--brokers', 'k:9092'], { MTL_REGISTRY_TOPIC: 'other.registry' });
    expect(otherTopic.stdout).toContain('published 1 entry to other.registry as cli:unknown');
    expect(onTopic(bus, 'other.registry')).toHaveLength(1);

    let stderr = '';
    const code = await run(['registry', 'push', 'm.yaml'], {
      readFile: () => Promise.resolve(files['m.yaml']),
      stdout: () => undefined,
      stderr: (t) => void (stderr += t),
      registry: { env: { MTL_KAFKA_BROKERS: 'k:9092' }, now: () => NOW, connectRegistry: () => Promise.reject(new Error('connection refused')) },
    });
    expect(code).toBe(EXIT_UNAVAILABLE);
    expect(stderr).toContain('cannot read the registry topic meterline.registry.v1 at k:9092: connection refused');
  });

  it('rejects bad arguments with usage', async () => {
    const bus = new InMemoryBus();
    for (const argv of [[], ['pull'], ['push'], ['push', 'a.yaml', 'b.yaml'], ['push', 'a.yaml', '--by'], ['push', 'a.yaml', '--force']]) {
      const r = await push(bus, {}, argv);
      expect(r.code, argv.join(' ')).toBe(EXIT_USAGE);
      expect(r.stderr).toContain('usage: meterline registry push');
    }
  });
});
