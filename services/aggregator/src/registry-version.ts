import { registryHash } from '@meterline/contracts';
import type { Enterprise } from '@meterline/domain';

/**
 * A short hash of an enterprise's registry entry: figures name the registry they were computed
 * from. The first 16 digits of the registry topic's `registryHash` of the same entry.
 */
export const registryVersion = (enterprise: Enterprise): string => registryHash(enterprise).slice(0, 16);
