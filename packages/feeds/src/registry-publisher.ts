import type { BusProducer } from '@meterline/bus';
import { decodeRegistryRecord, registryRecord, type RegistryEntryV1 } from '@meterline/contracts';
import { FEEDS_ERRORS, type FeedsErrorCode } from './errors.ts';
import { checkEnterpriseEntry, formatEntryProblems, type RegistryEntryProblem } from './registry-entry-check.ts';

/** An entry that no reader would apply: refused before it reaches the topic. Retrying the same entry cannot help. */
export class RegistryEntryError extends Error {
  override readonly name = 'RegistryEntryError';
  readonly code = 'MTL_REGISTRY_ENTRY_INVALID' satisfies FeedsErrorCode;
  readonly canRetry = FEEDS_ERRORS.canRetry(this.code);
  constructor(
    readonly enterpriseId: string,
    readonly problems: RegistryEntryProblem[],
  ) {
    super(`registry entry of enterprise ${enterpriseId} refused: ${formatEntryProblems(problems)}`);
  }
}

export interface RegistryPublisher {
  /** Resolves once the bus has the entry; throws RegistryEntryError for an entry readers would skip. */
  publish(entry: RegistryEntryV1): Promise<void>;
  /** Removes the enterprise from the registry (an empty value on its key). */
  remove(enterpriseId: string): Promise<void>;
}

/**
 * Writes registry entries to the compacted registry topic, keyed by enterprise. An entry is
 * checked as its readers check it (contract, then the domain's rules) first, so a bad one
 * fails here, at its writer, rather than being skipped by every reader.
 */
export function registryPublisher(producer: BusProducer, topic: string): RegistryPublisher {
  return {
    async publish(entry) {
      const record = registryRecord(entry.enterpriseId, entry);
      const decoded = decodeRegistryRecord(record.key, record.value);
      if (!decoded.ok) throw new RegistryEntryError(entry.enterpriseId, [{ path: '', message: decoded.detail, code: 'MTL_REGISTRY_ENTRY_INVALID' }]);
      const checked = checkEnterpriseEntry(entry.enterprise, `registry entry ${entry.enterpriseId}`);
      if (!checked.ok) throw new RegistryEntryError(entry.enterpriseId, checked.problems);
      await producer.send(topic, [record]);
    },
    async remove(enterpriseId) {
      const record = registryRecord(enterpriseId, null);
      const decoded = decodeRegistryRecord(record.key, record.value);
      if (!decoded.ok) throw new RegistryEntryError(enterpriseId, [{ path: '', message: decoded.detail, code: 'MTL_REGISTRY_ENTRY_INVALID' }]);
      await producer.send(topic, [record]);
    },
  };
}
