// No Docker engine (nor `docker compose`) on the project's machines: this checks infra/compose.yaml
// statically — references resolve, ports and topics agree with the native launcher, generated
// Mosquitto files have not drifted from the code that generates them.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { DEV_BROKER_ADMIN, DEV_PORTS, MQTT_MAX_PACKET_BYTES, MTL_TOPIC_SPECS, devServiceUsers } from '../src/index.ts';
import { dynsecPasswordHash, dynsecSeed } from '../src/mosquitto-dynsec.ts';
import { CLUSTER_REPLICATION } from '../src/kafka.ts';
import { rateLimitConf } from '../src/mosquitto-rate-limit.ts';

const infraDir = resolve(import.meta.dirname, '..', '..');
const composeText = readFileSync(join(infraDir, 'compose.yaml'), 'utf8');

interface ComposeService {
  image?: string;
  build?: { context: string; dockerfile: string; args?: Record<string, string> };
  ports?: string[];
  volumes?: string[];
  depends_on?: Record<string, { condition: string }>;
  command?: string | string[];
  environment?: Record<string, string>;
}
const compose = parse(composeText) as { services: Record<string, ComposeService>; volumes: Record<string, unknown> };

describe('infra/compose.yaml', () => {
  it('gives every service an image or a build whose Dockerfile exists', () => {
    for (const [name, service] of Object.entries(compose.services)) {
      if (service.build !== undefined) {
        expect(existsSync(join(infraDir, service.build.context, service.build.dockerfile)), name).toBe(true);
        // A Meterline service's build names the service it builds; the broker's builds our plugin in.
        const built = service.build.args?.SERVICE === undefined ? join('rate-limit', 'meterline_rate_limit.c') : join('services', service.build.args.SERVICE);
        expect(existsSync(join(infraDir, service.build.context, built)), name).toBe(true);
      } else {
        expect(service.image, name).toMatch(/^[\w./-]+:[\w.-]+$/);
      }
    }
  });

  it('depends only on services it declares, and mounts declared volumes or existing files', () => {
    for (const [name, service] of Object.entries(compose.services)) {
      for (const dependency of Object.keys(service.depends_on ?? {})) expect(compose.services, name).toHaveProperty(dependency);
      for (const mount of service.volumes ?? []) {
        const source = mount.split(':')[0] ?? '';
        if (source.startsWith('.')) {
          // Built or user-supplied directories are created by Docker when missing.
          if (source === '../dashboards/build') continue;
          expect(existsSync(resolve(infraDir, source)), `${name}: ${source}`).toBe(true);
        } else {
          expect(compose.volumes, `${name}: ${source}`).toHaveProperty(source);
        }
      }
    }
  });

  it("limits packets at the broker to the device guide's size, the one the launcher uses", () => {
    const conf = readFileSync(join(infraDir, 'mosquitto', 'mosquitto.conf'), 'utf8');
    expect(conf).toMatch(new RegExp(`^max_packet_size ${MQTT_MAX_PACKET_BYTES}$`, 'm'));
  });

  it('limits what each device publishes with the plugin the image builds and the lines the launcher writes', () => {
    const conf = readFileSync(join(infraDir, 'mosquitto', 'mosquitto.conf'), 'utf8');
    const dockerfile = readFileSync(join(infraDir, 'mosquitto', 'Dockerfile'), 'utf8');
    const pluginPath = /^COPY --from=build \S+ (\S+)$/m.exec(dockerfile)?.[1];
    expect(pluginPath).toBeDefined();
    for (const line of rateLimitConf(pluginPath!)) expect(conf.split('\n')).toContain(line);
  });

  it('publishes the same host ports as the native launcher, on loopback only', () => {
    const published = Object.values(compose.services).flatMap((s) => s.ports ?? []);
    for (const port of published) expect(port).toMatch(/^127\.0\.0\.1:/);
    expect(published).toEqual(
      expect.arrayContaining([
        `127.0.0.1:${DEV_PORTS.mqtt}:1883`,
        `127.0.0.1:${DEV_PORTS.kafka}:19092`,
        `127.0.0.1:${DEV_PORTS.influxHttp}:8086`,
        `127.0.0.1:${DEV_PORTS.prometheus}:9090`,
      ]),
    );
  });

  it('creates the same Kafka topics as MTL_TOPIC_SPECS', () => {
    const script = [compose.services['kafka-topics']?.command ?? []].flat().join('\n');
    for (const spec of MTL_TOPIC_SPECS) {
      const configs = Object.entries(spec.configs ?? {}).map(([k, v]) => ` --config ${k}=${v}`).join('');
      expect(script).toContain(`--topic ${spec.topic} --partitions ${spec.partitions}${configs}\n`);
    }
  });

  it('has Prometheus scrape every Meterline service it builds, and nothing else', () => {
    const prometheusYml = parse(readFileSync(join(infraDir, 'prometheus', 'prometheus.yml'), 'utf8')) as {
      scrape_configs: { static_configs?: { targets: string[] }[] }[];
    };
    const scraped = prometheusYml.scrape_configs.flatMap((c) => (c.static_configs ?? []).flatMap((s) => s.targets)).map((t) => t.split(':')[0]);
    const built = Object.entries(compose.services).filter(([, s]) => s.build?.args?.SERVICE !== undefined).map(([name]) => name);
    expect(scraped.sort()).toEqual(built.sort());
    // Every one of them listens beyond its container's loopback, or Prometheus could not reach it.
    for (const name of built) expect(compose.services[name]?.environment?.['MTL_OPS_HOST'], name).toBe('0.0.0.0');
  });

  it('runs the broker kind of the launcher: the dynamic security plugin the image ships, its state in the data volume, seeded from the committed seed', () => {
    const conf = readFileSync(join(infraDir, 'mosquitto', 'mosquitto.conf'), 'utf8');
    expect(conf).toMatch(/^plugin \/usr\/lib\/mosquitto_dynamic_security\.so$/m);
    expect(conf).toMatch(/^plugin_opt_config_file \/mosquitto\/data\/dynamic-security\.json$/m);
    expect(conf).toMatch(/^allow_anonymous false$/m);
    expect(conf).not.toMatch(/^(password_file|acl_file) /m);
    const mosquitto = compose.services['mosquitto']!;
    expect(mosquitto.volumes).toContain('./mosquitto/dynamic-security.seed.json:/mosquitto/config/dynamic-security.seed.json:ro');
    expect([mosquitto.command].flat().join(' ')).toContain('cp /mosquitto/config/dynamic-security.seed.json /mosquitto/data/dynamic-security.json');
    expect(existsSync(join(dirname(join(infraDir, 'compose.yaml')), 'influxdb', 'init-dbrp.sh'))).toBe(true);
  });

  it("seeds the launcher's admin and service accounts, with their dev passwords, roles and the plugin's default access", async () => {
    type Seed = { clients: { username: string; password: string; salt: string; iterations: number }[] };
    const committed = JSON.parse(readFileSync(join(infraDir, 'mosquitto', 'dynamic-security.seed.json'), 'utf8')) as Seed;
    const generated = (await dynsecSeed(DEV_BROKER_ADMIN, devServiceUsers())) as Seed;
    // Salts are random: compare everything else, then check each hash against its dev password.
    const withoutHashes = (seed: Seed) => ({ ...seed, clients: seed.clients.map(({ password: _password, salt: _salt, ...client }) => client) });
    expect(withoutHashes(committed)).toEqual(withoutHashes(generated));
    const passwords = new Map([DEV_BROKER_ADMIN, ...devServiceUsers()].map((user) => [user.username, user.password]));
    for (const client of committed.clients) {
      expect(await dynsecPasswordHash(passwords.get(client.username) ?? '', Buffer.from(client.salt, 'base64'), client.iterations), client.username).toBe(client.password);
    }
  });
});

describe('infra/compose.kafka-cluster.yaml (issue 18)', () => {
  const cluster = parse(readFileSync(join(infraDir, 'compose.kafka-cluster.yaml'), 'utf8'), { merge: true }) as { services: Record<string, ComposeService>; volumes: Record<string, unknown> };
  const nodes = ['kafka', 'kafka-2', 'kafka-3'];
  const merged = (name: string) => ({ ...compose.services[name]?.environment, ...cluster.services[name]?.environment });

  it('runs three nodes, each a voter of the same quorum with its own id, and one cluster id of 16 bytes', () => {
    const voters = nodes.map((node, i) => `${i + 1}@${node}:9093`).join(',');
    for (const [i, node] of nodes.entries()) {
      const env = merged(node);
      expect(env['KAFKA_NODE_ID'], node).toBe(String(i + 1));
      expect(env['KAFKA_CONTROLLER_QUORUM_VOTERS'], node).toBe(voters);
      expect(env['KAFKA_ADVERTISED_LISTENERS'], node).toContain(`INTERNAL://${node}:29092`);
      expect(Buffer.from(env['CLUSTER_ID'] ?? '', 'base64url'), node).toHaveLength(16);
    }
    expect(new Set(nodes.map((node) => merged(node)['CLUSTER_ID'])).size).toBe(1);
    for (const node of ['kafka-2', 'kafka-3']) expect(cluster.volumes, node).toHaveProperty(`${node}-data`);
  });

  it("replicates as the launcher's cluster does", () => {
    for (const node of nodes) {
      for (const [property, value] of Object.entries(CLUSTER_REPLICATION)) {
        expect(merged(node)[`KAFKA_${property.toUpperCase().replaceAll('.', '_')}`], `${node}: ${property}`).toBe(String(value));
      }
    }
    expect(cluster.services['kafka-topics']?.environment?.['TOPIC_REPLICATION_FACTOR']).toBe('3');
    expect([compose.services['kafka-topics']?.command ?? []].flat().join('\n')).toContain('--replication-factor $${TOPIC_REPLICATION_FACTOR:-1}');
  });

  it('gives every service that reaches Kafka all three nodes to bootstrap from', () => {
    const users = Object.entries(compose.services).filter(([, s]) => s.environment?.['MTL_KAFKA_BROKERS'] !== undefined).map(([name]) => name);
    expect(users.length).toBeGreaterThan(0);
    for (const name of users) expect(merged(name)['MTL_KAFKA_BROKERS'], name).toBe(nodes.map((node) => `${node}:29092`).join(','));
  });
});
