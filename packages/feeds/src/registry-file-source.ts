import { parseManifest, type Manifest } from '@meterline/domain';
import { watchedFile, type WatchedFile } from '@meterline/service-kit';

/** Where a service reads the registry manifest in force: a watched file, or the registry topic (TopicRegistrySource). */
export type RegistrySource = WatchedFile<Manifest>;

/** The registry manifest as a watched file. */
export function fileRegistrySource(path: string, onRejected: (problems: string) => void): Promise<RegistrySource> {
  return watchedFile(
    path,
    (text) => {
      const parsed = parseManifest(text, path);
      if (parsed.ok) return { ok: true, value: parsed.manifest };
      return { ok: false, problems: `${path}: invalid registry manifest\n  ${parsed.errors.map((e) => `${e.path}: ${e.message}`).join('\n  ')}` };
    },
    onRejected,
  );
}
