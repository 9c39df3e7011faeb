import { readFile } from 'node:fs/promises';
import type { ServiceProcess } from './service-process.ts';

/**
 * The `/metrics` text of a running service process: its ops port is read from its own log
 * (the `started` line), so the harness needs no other record of it.
 */
export async function serviceMetrics(service: ServiceProcess): Promise<string> {
  let port: number | undefined;
  for (const line of (await readFile(service.logFile, 'utf8')).split('\n')) {
    if (!line.startsWith('{')) continue;
    const entry = JSON.parse(line) as { msg?: string; opsPort?: number };
    if (entry.msg === 'started' && entry.opsPort !== undefined) port = entry.opsPort;
  }
  if (port === undefined) throw new Error(`${service.name}: no "started" line with its ops port in ${service.logFile}`);
  const response = await fetch(`http://127.0.0.1:${port}/metrics`, { signal: AbortSignal.timeout(5_000) });
  if (!response.ok) throw new Error(`${service.name} /metrics answered ${response.status}`);
  return response.text();
}
