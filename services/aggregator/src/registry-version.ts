import { createHash } from 'node:crypto';
import { canonicalJson, type Json } from '@meterline/contracts';
import type { Enterprise } from '@meterline/domain';

/** A short hash of an enterprise's registry entry: figures name the registry they were computed from. */
export const registryVersion = (enterprise: Enterprise): string =>
  createHash('sha256').update(canonicalJson(enterprise as unknown as Json)).digest('hex').slice(0, 16);
