import { createHash } from 'node:crypto';
import type { Enterprise } from '@meterline/domain';

/** Stable JSON: keys sorted, so the same registry entry always hashes the same. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    return `{${Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value);
}

/** A short hash of an enterprise's registry entry: figures name the registry they were computed from. */
export const registryVersion = (enterprise: Enterprise): string => createHash('sha256').update(canonical(enterprise)).digest('hex').slice(0, 16);
