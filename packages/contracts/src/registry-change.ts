import { createHash } from 'node:crypto';
import { Type, type Static } from '@sinclair/typebox';
import { canonicalJson, NotIJsonError, type Json } from './canonical-json.ts';
import { Id, IdPattern, TimestampWithOffset } from './common.ts';
import { jsonRecordCodec, type EncodedRecord } from './kafka-record.ts';

const REGISTRY_ENTRY_SCHEMA_ID = 'meterline.registry-entry.v1';

/** Record headers of the registry topic: `schema`, as on every topic. */
const REGISTRY_ENTRY_HEADERS = Object.freeze({ schema: 'schema' });

/** An enterprise entry of the registry manifest as JSON (an element of the manifest's `enterprises`). */
export type EnterpriseJson = { id: string } & { [key: string]: Json | undefined };

/**
 * The SHA-256 (hex) of the RFC 8785 canonical JSON of an enterprise's registry entry: the
 * same entry always has the same hash, whatever its key order or layout in the manifest.
 * Figures carry its first 16 digits as their `registryVersion`.
 */
export const registryHash = (enterprise: Json): string => createHash('sha256').update(canonicalJson(enterprise)).digest('hex');

/**
 * Kafka registry entry v1, on the compacted topic `meterline.registry.v1`, keyed by the
 * enterprise id: the enterprise's registry entry as last uploaded. Its shape and rules are
 * the domain's (`parseManifest` on a manifest of this one enterprise); this contract only
 * carries it. A record with an empty value removes the enterprise (the bus sends an empty
 * value as Kafka's null tombstone, which compaction removes in time).
 */
export const RegistryEntryV1 = Type.Object(
  {
    v: Type.Literal(1),
    enterpriseId: Id,
    /** 1 for the first upload of the enterprise, then one more per accepted change. */
    version: Type.Integer({ minimum: 1 }),
    /** registryHash(enterprise). */
    registryHash: Type.String({ pattern: '^[0-9a-f]{64}$' }),
    uploadedAt: TimestampWithOffset,
    /** Who uploaded it: an API key id, or `cli:<user>`. */
    uploadedBy: Type.String({ minLength: 1, maxLength: 256 }),
    enterprise: Type.Unsafe<EnterpriseJson>(Type.Object({ id: Id }, { additionalProperties: true })),
  },
  { additionalProperties: false },
);
export type RegistryEntryV1 = Static<typeof RegistryEntryV1>;

/** What a record of the registry topic says: an enterprise's entry, its removal (null), or nothing usable (why). */
export type RegistryRecord = { ok: true; enterpriseId: string; entry: RegistryEntryV1 | null } | { ok: false; detail: string };

/** The value of a registry record; the key and the removal are the functions below. */
const registryEntryCodec = jsonRecordCodec(REGISTRY_ENTRY_SCHEMA_ID, RegistryEntryV1);
const ID = new RegExp(IdPattern);

/**
 * Reads one record of the registry topic: its key names the enterprise, an empty value
 * removes it. Checks the contract (not the domain's rules): the key, the entry's ids and
 * its hash agree.
 */
export function decodeRegistryRecord(key: string | null, value: Buffer): RegistryRecord {
  if (key === null || !ID.test(key)) return { ok: false, detail: `key ${JSON.stringify(key)} is not an enterprise id` };
  if (value.length === 0) return { ok: true, enterpriseId: key, entry: null };
  const decoded = registryEntryCodec.decode(value);
  if (!decoded.ok) return decoded;
  const entry = decoded.value;
  if (entry.enterpriseId !== key || entry.enterprise.id !== key) {
    return { ok: false, detail: `key ${key} does not name the enterprise it carries (enterpriseId ${entry.enterpriseId}, enterprise.id ${entry.enterprise.id})` };
  }
  let hash: string;
  try {
    hash = registryHash(entry.enterprise);
  } catch (error) {
    // A record is a claim from the topic: one that has no canonical form is refused, never thrown at the reader.
    if (error instanceof NotIJsonError) return { ok: false, detail: `/enterprise has no RFC 8785 canonical form: ${error.message}` };
    throw error;
  }
  if (hash !== entry.registryHash) return { ok: false, detail: `/registryHash ${entry.registryHash} is not the hash of /enterprise (${hash})` };
  return { ok: true, enterpriseId: key, entry };
}

/** The record that carries an entry (or, for null, removes the enterprise). */
export function registryRecord(enterpriseId: string, entry: RegistryEntryV1 | null): EncodedRecord {
  if (entry !== null) return registryEntryCodec.encode(entry, enterpriseId);
  return { key: enterpriseId, value: Buffer.alloc(0), headers: { [REGISTRY_ENTRY_HEADERS.schema]: REGISTRY_ENTRY_SCHEMA_ID } };
}

export type NextEntry =
  /** The upload is the entry in force: nothing to publish. */
  | { changed: false; entry: RegistryEntryV1 }
  /** A new entry to publish; `previous` is the one it replaces, if any. */
  | { changed: true; entry: RegistryEntryV1; previous: RegistryEntryV1 | undefined };

/**
 * The entry an upload of `enterprise` makes, given the entry in force (`current`, undefined
 * for an enterprise not on the topic): unchanged when the hashes agree, otherwise the next
 * version. The enterprise must have passed the domain's validation.
 */
export function nextEntry(current: RegistryEntryV1 | undefined, enterprise: EnterpriseJson, uploadedBy: string, uploadedAt: Date = new Date()): NextEntry {
  if (current !== undefined && current.enterpriseId !== enterprise.id) {
    throw new RangeError(`the entry in force is enterprise ${current.enterpriseId}'s, the upload is ${enterprise.id}'s`);
  }
  const hash = registryHash(enterprise);
  if (current?.registryHash === hash) return { changed: false, entry: current };
  return {
    changed: true,
    previous: current,
    entry: {
      v: 1,
      enterpriseId: enterprise.id,
      version: (current?.version ?? 0) + 1,
      registryHash: hash,
      uploadedAt: uploadedAt.toISOString(),
      uploadedBy,
      enterprise,
    },
  };
}
