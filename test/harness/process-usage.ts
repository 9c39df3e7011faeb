import { readFile } from 'node:fs/promises';

/** Linux reports process times in clock ticks; USER_HZ is 100 on every architecture Node runs on. */
const TICKS_PER_SECOND = 100;

/** CPU seconds (user + system) a process has used, from /proc/<pid>/stat; NaN for no pid or a process gone. */
export async function cpuSeconds(pid: number | undefined): Promise<number> {
  if (!pid) return NaN;
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
  // Fields after the command name, which is in parentheses and may itself hold spaces.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
}

/** A field of /proc/<pid>/status in MB (VmRSS now, VmHWM the peak since the process started); NaN for no pid or a process gone. */
export async function procMb(pid: number | undefined, field: 'VmRSS' | 'VmHWM'): Promise<number> {
  if (!pid) return NaN;
  const status = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => '');
  return Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status)?.[1] ?? NaN) / 1024;
}

/** CPU seconds each named process uses while `body` runs. */
export async function cpuDuring<T>(pids: Record<string, number | undefined>, body: () => Promise<T>): Promise<{ result: T; cpu: Record<string, number> }> {
  const before = Object.fromEntries(await Promise.all(Object.entries(pids).map(async ([name, pid]) => [name, await cpuSeconds(pid)] as const)));
  const result = await body();
  const cpu: Record<string, number> = {};
  for (const [name, pid] of Object.entries(pids)) cpu[name] = (await cpuSeconds(pid)) - (before[name] ?? 0);
  return { result, cpu };
}

/**
 * Waits until a process uses less than `share` of a core over a second (InfluxDB done with the
 * compactions a previous run left it), at most `maxMs`; returns how long it waited.
 */
export async function untilQuiet(pid: number | undefined, { share = 0.05, maxMs = 60_000 } = {}): Promise<number> {
  const start = Date.now();
  while (Date.now() - start < maxMs) {
    const before = await cpuSeconds(pid);
    await new Promise((r) => setTimeout(r, 1_000));
    // NaN (the process gone) counts as quiet.
    if (!((await cpuSeconds(pid)) - before >= share)) break;
  }
  return Date.now() - start;
}

/** Bytes a process has caused to be written to storage (write_bytes of /proc/<pid>/io, counted as pages are dirtied); NaN for no pid or a process gone. */
export async function storageWriteBytes(pid: number | undefined): Promise<number> {
  if (!pid) return NaN;
  const io = await readFile(`/proc/${pid}/io`, 'utf8').catch(() => '');
  return Number(/^write_bytes:\s+(\d+)/m.exec(io)?.[1] ?? NaN);
}
