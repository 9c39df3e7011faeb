import { readFile, stat } from 'node:fs/promises';

export type FileParse<T> = { ok: true; value: T } | { ok: false; problems: string };

export interface WatchedFile<T> {
  /** The content in force: reread when the file changed; a bad new file keeps the previous one. */
  current(): Promise<T>;
}

/**
 * A configuration file watched by its modification time and size, so a change takes effect
 * at the next use without a restart or a signal. The first read must succeed.
 */
export async function watchedFile<T>(path: string, parse: (text: string) => FileParse<T>, onRejected: (problems: string) => void): Promise<WatchedFile<T>> {
  let value: T | undefined;
  let seen = '';
  const load = async () => {
    const s = await stat(path);
    const version = `${s.mtimeMs}:${s.size}`;
    if (version === seen && value !== undefined) return value;
    const parsed = parse(await readFile(path, 'utf8'));
    seen = version;
    if (parsed.ok) return (value = parsed.value);
    if (value === undefined) throw new Error(parsed.problems);
    onRejected(parsed.problems);
    return value;
  };
  await load();
  return { current: load };
}
