#!/usr/bin/env -S node --import tsx
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { parseManifest } from '@meterline/domain';
import { Fleet, type PayloadFault } from './fleet.ts';
import { DEVICE_RECONNECT_BACKOFF, connectFleet } from './publisher.ts';

const USAGE = `meterline-sim: a simulated meter fleet publishing live readings over MQTT

  --manifest <file>        registry manifest (YAML or JSON) whose devices to simulate
  --passwords <file>       JSON object { "<deviceId>": "<password>" }
  --url <mqtt-url>         broker, e.g. mqtt://127.0.0.1:11883
  --interval <seconds>     seconds between readings (default 15)
  --faults <rate>          share of extra payloads that are faulty, 0..1 (default 0.01)
  --count <n>              stop after n intervals (default: run until SIGTERM)
`;

function fail(message: string): never {
  process.stderr.write(`meterline-sim: ${message}\n\n${USAGE}`);
  process.exit(2);
}

const { values } = parseArgs({
  options: {
    manifest: { type: 'string' },
    passwords: { type: 'string' },
    url: { type: 'string' },
    interval: { type: 'string', default: '15' },
    faults: { type: 'string', default: '0.01' },
    count: { type: 'string' },
    help: { type: 'boolean' },
  },
});
if (values.help) {
  process.stdout.write(USAGE);
  process.exit(0);
}
if (!values.manifest || !values.passwords || !values.url) fail('--manifest, --passwords and --url are required');
const intervalMs = Number(values.interval) * 1000;
const faultRate = Number(values.faults);
const count = values.count === undefined ? Infinity : Number(values.count);
if (!(intervalMs > 0)) fail(`--interval must be a positive number of seconds, got "${values.interval}"`);
if (!(faultRate >= 0 && faultRate <= 1)) fail(`--faults must be between 0 and 1, got "${values.faults}"`);

const parsed = parseManifest(await readFile(values.manifest, 'utf8'), values.manifest);
if (!parsed.ok) fail(`${values.manifest}: ${parsed.errors.map((e) => `${e.path}: ${e.message}`).join('; ')}`);
const passwords = JSON.parse(await readFile(values.passwords, 'utf8')) as Record<string, string>;
const fleet = new Fleet(parsed.manifest, { seed: Date.now() % 100_000 });
const connection = await connectFleet({
  url: values.url,
  deviceIds: fleet.devices.map((d) => d.id),
  password: (id) => passwords[id] ?? fail(`no password for device ${id} in ${values.passwords}`),
  // As the device guide asks of real devices: a fleet that lost the broker together comes back spread out.
  reconnect: DEVICE_RECONNECT_BACKOFF,
});

const faults: PayloadFault[] = ['malformed-json', 'schema-invalid', 'unauthorised-point'];
let stopping = false;
process.on('SIGTERM', () => (stopping = true));
process.on('SIGINT', () => (stopping = true));
const totals = { payloads: 0, readings: 0, faulty: 0, refused: 0 };
for (let i = 0; i < count && !stopping; i++) {
  const now = Date.now();
  const planned = fleet.tick(now, intervalMs);
  for (const device of fleet.devices) {
    if (Math.random() < faultRate) {
      const other = fleet.devices.find((d) => d.id !== device.id)?.points[0]?.id ?? 'unknown-point';
      planned.push(fleet.faulty(device.id, faults[totals.faulty % faults.length]!, now, other));
      totals.faulty++;
    }
  }
  const outcomes = await Promise.all(planned.map((p) => connection.publish(p)));
  totals.payloads += outcomes.length;
  totals.readings += outcomes.reduce((n, o) => n + o.payload.readings.length, 0);
  totals.refused += outcomes.filter((o) => !o.accepted).length;
  process.stdout.write(`${new Date(now).toISOString()} published ${outcomes.length} payloads (total ${totals.payloads} payloads, ${totals.readings} readings, ${totals.faulty} faulty on purpose, ${totals.refused} refused by the broker)\n`);
  const wait = now + intervalMs - Date.now();
  if (wait > 0 && i + 1 < count) await new Promise((r) => setTimeout(r, wait));
}
await connection.close();
