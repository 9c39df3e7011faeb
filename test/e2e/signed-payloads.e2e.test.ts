import { spawn } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { signPayload, type MqttReading } from '@meterline/contracts';
import { READING_FIELDS, READING_TAGS, READINGS_MEASUREMENT } from '@meterline/series';
import { ensureGo } from '@meterline/local-stack';
import { Fleet, fleetManifest } from '@meterline/simulator';
import { createPipeline, devicePassword, type Pipeline } from '../harness/pipeline.ts';
import { stackEnv } from '../harness/stack-env.ts';

// Issue 13, tamper evidence: a device registered with an Ed25519 public key signs every
// payload; ingest verifies it and every stored reading records whether it was verified. The
// signing device here is the device guide's Go example, built and run as a device maker would.

const EXAMPLE_DIR = fileURLToPath(new URL('../../docs/examples/sign-payload/', import.meta.url));
const T0 = Date.UTC(2026, 2, 1, 0, 0);
const HOUR = 3_600_000;

let pipeline: Pipeline;
let workDir: string;
let signer: string;
let keyFile: string;
let seq = 1;
const devices = new Map<string, mqtt.MqttClient>();

/** Runs a command to its end; its stdout, or an error with its stderr. */
function run(command: string, args: readonly string[], options: { cwd?: string; input?: string } = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: options.cwd, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(stdout) : reject(new Error(`${command} ${args.join(' ')} exited ${code}: ${stderr}`))));
    child.stdin.end(options.input ?? '');
  });
}

const deviceIds = () => pipeline.manifest.enterprises[0]!.devices.map((d) => d.id) as [string, string];
const readingsOf = (deviceId: string, tsMs: number): MqttReading[] =>
  new Fleet(pipeline.manifest, { seed: 11 }).tick(tsMs, 900_000).find((p) => p.deviceId === deviceId)!.readings;
const publish = (deviceId: string, text: string) => devices.get(deviceId)!.publishAsync(`meterline/v1/${deviceId}/readings`, text, { qos: 1 });

/** Stored readings by `point@time`: value and whether stored as verified (the field is stored only when true). */
async function stored(): Promise<Map<string, { value: number; verified: boolean }>> {
  const series = await pipeline.store.influxQl(
    `SELECT "${READING_FIELDS.value}", "${READING_FIELDS.verified}" FROM "${READINGS_MEASUREMENT}" GROUP BY "${READING_TAGS.point}"`,
  );
  const out = new Map<string, { value: number; verified: boolean }>();
  for (const s of series) for (const [time, value, verified] of s.values) out.set(`${s.tags?.[READING_TAGS.point]}@${String(time)}`, { value: Number(value), verified: verified === true });
  return out;
}
const keysOf = (readings: readonly MqttReading[]) => readings.map((r) => `${r.point}@${Date.parse(r.ts)}`);
/** What is stored of these readings, in their order (undefined where nothing is). */
const storedOf = async (readings: readonly MqttReading[]) => {
  const s = await stored();
  return keysOf(readings).map((k) => s.get(k));
};

beforeAll(async () => {
  workDir = await mkdtemp(join(tmpdir(), 'meterline-signing-'));
  const go = await ensureGo((line) => console.log(line));
  signer = join(workDir, 'sign-payload');
  await run(go, ['build', '-o', signer, '.'], { cwd: EXAMPLE_DIR });
  keyFile = join(workDir, 'device.key');
  await run(signer, ['-key', keyFile, 'keygen']);
  const publicKey = JSON.parse(await run(signer, ['-key', keyFile, 'jwk'])) as { kty: 'OKP'; crv: 'Ed25519'; x: string };

  const manifest = fleetManifest({ enterprises: 1, devicesPerEnterprise: 2, pointsPerDevice: 2, prefix: 'e2e-sig' });
  manifest.enterprises[0]!.devices[0]!.publicKey = publicKey;
  pipeline = await createPipeline(stackEnv(), manifest);
  await pipeline.writer.start();
  await pipeline.ingest.start();
  for (const id of deviceIds()) {
    devices.set(id, await mqtt.connectAsync(inject('stack').mqtt.url, { protocolVersion: 5, clientId: id, username: id, password: devicePassword(id), reconnectPeriod: 0 }));
  }
});
afterAll(async () => {
  await Promise.allSettled([...devices.values()].map((d) => d.endAsync()));
  await pipeline?.close();
  if (workDir) await rm(workDir, { recursive: true, force: true });
});

describe('signed payloads (issue 13)', () => {
  it('stores the readings of a payload signed by the Go example as verified', async () => {
    const [signing] = deviceIds();
    const readings = readingsOf(signing, T0);
    const signedText = await run(signer, ['-key', keyFile, 'sign'], { input: JSON.stringify({ v: 1, deviceId: signing, seq: seq++, readings }) });
    await publish(signing, signedText);
    await expect.poll(() => storedOf(readings), { timeout: 60_000 })
      .toEqual(readings.map((r) => ({ value: r.value, verified: true })));
  });

  it('dead-letters an unsigned, an altered and a foreign-signed payload of that device, and stores none of them', async () => {
    const [signing] = deviceIds();
    const unsigned = { v: 1, deviceId: signing, seq: seq++, readings: readingsOf(signing, T0 + HOUR) };
    const signedText = await run(signer, ['-key', keyFile, 'sign'], { input: JSON.stringify({ v: 1, deviceId: signing, seq: seq++, readings: readingsOf(signing, T0 + 2 * HOUR) }) });
    const altered = JSON.parse(signedText) as { readings: MqttReading[] };
    altered.readings[0]!.value += 1;
    const foreign = signPayload({ v: 1, deviceId: signing, seq: seq++, readings: readingsOf(signing, T0 + 3 * HOUR) }, generateKeyPairSync('ed25519').privateKey);
    for (const payload of [unsigned, altered, foreign]) await publish(signing, JSON.stringify(payload));

    await expect
      .poll(async () => (await pipeline.deadLetters()).map((l) => [l.reason, l.topicDeviceId, l.path]).sort(), { timeout: 60_000 })
      .toEqual([
        ['SIGNATURE_INVALID', signing, '/sig'],
        ['SIGNATURE_INVALID', signing, '/sig'],
        ['SIGNATURE_MISSING', signing, '/sig'],
      ]);
    await expect.poll(() => pipeline.writerLag(), { timeout: 60_000 }).toBe(0);
    const s = await stored();
    for (const hour of [1, 2, 3]) expect(keysOf(readingsOf(signing, T0 + hour * HOUR)).filter((k) => s.has(k))).toEqual([]);
  });

  it('stores the readings of a device without a registered key as not verified', async () => {
    const [, plain] = deviceIds();
    const readings = readingsOf(plain, T0);
    await publish(plain, JSON.stringify({ v: 1, deviceId: plain, seq: seq++, readings }));
    await expect.poll(() => storedOf(readings), { timeout: 60_000 })
      .toEqual(readings.map((r) => ({ value: r.value, verified: false })));
  });
});
