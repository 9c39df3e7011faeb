import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { ensureEdgePeers, freePort } from '@meterline/local-stack';

export interface RunningPeer {
  port: number;
  stop: () => Promise<void>;
}

/** Ends a child process and waits for its exit. */
export function stopChild(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill(signal);
  });
}

/**
 * Starts one of the Python peers of `peers/` (pymodbus's or dlt645's simulator) on a free port
 * and resolves once it prints `READY <port>`; its output goes to the test's stderr on failure only.
 */
export async function startPeer(script: 'modbus_meter.py' | 'dlt645_meter.py', ...args: string[]): Promise<RunningPeer> {
  const { python } = await ensureEdgePeers();
  const port = await freePort();
  const child = spawn(python, [join(import.meta.dirname, 'peers', script), String(port), ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  const errors: string[] = [];
  // Drained, or a chatty peer (dlt645 logs each frame) would block on a full pipe.
  child.stderr.on('data', (chunk: Buffer) => errors.push(chunk.toString()) > 200 && errors.shift());
  const lines = createInterface({ input: child.stdout });
  await new Promise<void>((resolve, reject) => {
    lines.on('line', (line) => line === `READY ${port}` && resolve());
    child.once('exit', (code) => reject(new Error(`${script} exited with ${code} before it was ready: ${errors.join('').slice(-2_000)}`)));
  });
  return { port, stop: () => stopChild(child) };
}
