import { execFile, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ensureGo } from '@meterline/local-stack';

const SOURCE_DIR = join(import.meta.dirname, '..', 'bench', 'loadgen');

interface MqttAccount {
  clientId: string;
  username: string;
  password: string;
}

/** What `loadgen mqtt` reads: see test/bench/loadgen/mqtt.go. */
export interface MqttLoadPlan {
  url: string;
  /** Messages per second over all devices; 0: as fast as acknowledgements allow. */
  rate: number;
  inflight: number;
  /** Stop publishing the file's payloads after this many seconds (absent: publish them all). */
  seconds?: number;
  /** Every n-th payload's acknowledgement is reported while the run goes on (0: none). */
  sampleEvery: number;
  /** Lines of `<device index>\t<payload>`. */
  payloadFile: string;
  devices: (MqttAccount & { topic: string })[];
  subscriber?: MqttAccount & { filter: string; expect: number };
}

export interface MqttLoadResult {
  published: number;
  acked: number;
  failed: number;
  publishSeconds: number;
  received: number;
  receiveSeconds: number;
}

/** Builds the Go load generator (Go's build cache makes a rebuild of unchanged sources instant). */
export async function buildLoadgen(outDir: string): Promise<string> {
  const go = await ensureGo((line) => console.log(line));
  const bin = join(outDir, 'loadgen');
  await promisify(execFile)(go, ['build', '-o', bin, '.'], { cwd: SOURCE_DIR, env: { ...process.env, CGO_ENABLED: '0' } });
  return bin;
}

/** Runs the generator, hands each "ack" line to `onAck`, and returns its "result" line. */
function runLoadgen<T>(bin: string, args: string[], onAck?: (index: number, ackedAtMs: number) => void): Promise<T> {
  return new Promise((resolve, reject) => {
    const child = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let result: T | undefined;
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    createInterface({ input: child.stdout }).on('line', (line) => {
      const [kind, ...rest] = line.split(' ');
      if (kind === 'ack') onAck?.(Number(rest[0]), Number(rest[1]));
      else if (kind === 'result') result = JSON.parse(rest.join(' ')) as T;
    });
    child.once('error', reject);
    child.once('close', (code) => {
      if (code === 0 && result !== undefined) resolve(result);
      else reject(new Error(`loadgen ${args[0]} exited with ${code}: ${stderr.trim().slice(-2_000)}`));
    });
  });
}

export async function runMqttLoad(bin: string, planFile: string, onAck?: (index: number, ackedAtMs: number) => void): Promise<MqttLoadResult> {
  return runLoadgen<MqttLoadResult>(bin, ['mqtt', '-plan', planFile], onAck);
}

export async function runInfluxWrite(
  bin: string,
  options: { url: string; database: string; token: string; file: string; batch?: number; workers?: number; gzip?: boolean },
): Promise<{ points: number; seconds: number; pointsPerSecond: number }> {
  const args = ['influx', '-url', options.url, '-db', options.database, '-token', options.token, '-file', options.file];
  args.push('-batch', String(options.batch ?? 5_000), '-workers', String(options.workers ?? 4));
  if (options.gzip) args.push('-gzip');
  return runLoadgen(bin, args);
}
