import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { MQTT_PASSWORD_ENV } from '../src/config.ts';
import { account, broker, clearRetainedStatus, watchReadings } from './broker.ts';
import { startPeer, stopChild } from './peers.ts';

const ROOT = join(import.meta.dirname, '..', '..', '..');
const dir = mkdtempSync(join(tmpdir(), 'edge-power-cut-'));
afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  for (const deviceId of ['dev-meter-014']) await clearRetainedStatus(deviceId);
});
const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

interface Queued {
  seqs: number[];
  values: number[];
}

/**
 * Runs `meterline-edge` (src/main.ts) as a process of its own with the config file, until it has
 * logged `queuedLines` polls as queued; `signal` then ends it. Returns what it said it queued.
 */
async function runAgent(configFile: string, password: string, queuedLines: number, signal: NodeJS.Signals) {
  const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'services', 'edge', 'src', 'main.ts'), configFile], {
    cwd: ROOT,
    env: { ...process.env, [MQTT_PASSWORD_ENV]: password },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  cleanups.push(() => stopChild(child, 'SIGKILL'));
  const queued: Queued[] = [];
  const exited = new Promise<NodeJS.Signals | null>((resolve) => child.once('exit', (_code, s) => resolve(s)));
  let ended = false;
  for await (const line of createInterface({ input: child.stdout })) {
    const entry = JSON.parse(line) as { msg: string } & Partial<Queued>;
    if (entry.msg === 'queued') queued.push({ seqs: entry.seqs!, values: entry.values! });
    if (queued.length === queuedLines && !ended) {
      ended = true;
      child.kill(signal);
    }
  }
  return { queued, signal: await exited };
}

describe('edge agent through a power cut (integration, a real process killed with SIGKILL)', () => {
  it('delivers every value it polled before the kill, after a restart, with the seqs it gave them', async () => {
    const deviceId = 'dev-meter-014';
    const modbus = await startPeer('modbus_meter.py');
    cleanups.push(modbus.stop);
    const watch = await watchReadings(deviceId);
    cleanups.push(watch.close);
    const configFile = join(dir, 'edge.json');
    writeFileSync(
      configFile,
      JSON.stringify({
        deviceId,
        mqtt: { url: broker().url, reconnectFirstMaxMs: 200, reconnectMaxMs: 500 },
        // Sent slower than polled (5 a second against 10): a backlog is in the queue when the power goes.
        queue: { file: join(dir, 'queue.db'), messagesPerSecond: 5 },
        ops: { port: 0 },
        logLevel: 'debug',
        meters: [{ kind: 'modbus-tcp', id: 'incomer', host: '127.0.0.1', port: modbus.port, pollIntervalMs: 100, registers: [{ function: 'input', address: 12, type: 'uint16', point: 'ticks', quantity: 'count', unit: '1' }] }],
      }),
    );
    const password = account(deviceId).password;

    const first = await runAgent(configFile, password, 30, 'SIGKILL');
    expect(first.signal).toBe('SIGKILL');
    const firstSeqs = first.queued.flatMap((q) => q.seqs);
    const deliveredAtCut = new Set(watch.received.map((p) => p.seq));
    // The kill left payloads that had not been sent: what the restart must deliver.
    expect(firstSeqs.filter((seq) => !deliveredAtCut.has(seq)).length).toBeGreaterThan(5);

    const second = await runAgent(configFile, password, 10, 'SIGTERM');
    const secondSeqs = second.queued.flatMap((q) => q.seqs);
    // The counter came back from the disk: no seq is given twice.
    expect(Math.min(...secondSeqs)).toBeGreaterThan(Math.max(...firstSeqs));

    // The second process ended cleanly before its backlog was out: a third sends the rest.
    const queuedValues = new Map([...first.queued, ...second.queued].flatMap((q) => q.seqs.map((seq, i) => [seq, q.values[i]!] as const)));
    const third = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'services', 'edge', 'src', 'main.ts'), configFile], { cwd: ROOT, env: { ...process.env, [MQTT_PASSWORD_ENV]: password }, stdio: 'ignore' });
    cleanups.push(() => stopChild(third, 'SIGTERM'));
    await watch.until((received) => [...queuedValues.keys()].every((seq) => received.some((p) => p.seq === seq)));
    await stopChild(third, 'SIGTERM');

    // Every value it said it queued came, under the seq it was queued with (duplicates allowed, losses not).
    for (const [seq, value] of queuedValues) {
      const copies = watch.received.filter((p) => p.seq === seq);
      expect(copies.length, `seq ${seq}`).toBeGreaterThan(0);
      for (const copy of copies) expect(copy.readings.map((r) => r.value)).toEqual([value]);
    }
    // And no seq is missing in between (a payload stored in the instant before the kill, not yet logged, came too).
    const seqs = [...new Set(watch.received.map((p) => p.seq))].sort((a, b) => a - b);
    expect(seqs).toEqual(Array.from({ length: seqs.length }, (_, i) => i));
  });
});
