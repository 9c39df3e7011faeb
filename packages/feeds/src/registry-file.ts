import { readFile } from 'node:fs/promises';
import { indexRegistry, parseManifest, type RegistryIndex } from '@meterline/domain';
import { FEEDS_ERRORS, type FeedsErrorCode } from './errors.ts';

class RegistryFileError extends Error {
  override readonly name = 'RegistryFileError';
  readonly code = 'MTL_REGISTRY_INVALID' satisfies FeedsErrorCode;
  readonly canRetry = FEEDS_ERRORS.canRetry(this.code);
}

/** Reads and validates a registry manifest file; the error lists every bad field by path. */
export async function loadRegistryFile(path: string): Promise<RegistryIndex> {
  const text = await readFile(path, 'utf8');
  const parsed = parseManifest(text, path);
  if (!parsed.ok) {
    throw new RegistryFileError(`${path}: invalid registry manifest\n  ${parsed.errors.map((e) => `${e.path}: ${e.message}`).join('\n  ')}`);
  }
  return indexRegistry(parsed.manifest);
}
