import { readFile, stat } from 'node:fs/promises';
import { parseManifest, type Manifest } from '@meterline/domain';

export interface RegistrySource {
  /** The registry in force: reread when the file changed; a bad new file keeps the previous one. */
  current(): Promise<Manifest>;
}

/**
 * A registry manifest file watched by its modification time and size, so a change reaches
 * the aggregator at its next job without a restart or a signal.
 */
export async function fileRegistrySource(path: string, onRejected: (problems: string) => void): Promise<RegistrySource> {
  let manifest: Manifest | undefined;
  let seen = '';
  const load = async () => {
    const s = await stat(path);
    const version = `${s.mtimeMs}:${s.size}`;
    if (version === seen && manifest) return manifest;
    const parsed = parseManifest(await readFile(path, 'utf8'), path);
    seen = version;
    if (parsed.ok) return (manifest = parsed.manifest);
    const problems = `${path}: invalid registry manifest\n  ${parsed.errors.map((e) => `${e.path}: ${e.message}`).join('\n  ')}`;
    if (!manifest) throw new Error(problems);
    onRejected(problems);
    return manifest;
  };
  await load();
  return { current: load };
}
