import type { Static, TSchema } from '@sinclair/typebox';
import { CONTRACTS_ERRORS, type ContractsErrorCode } from './errors.ts';
import { compileValidator } from './validator.ts';

/** A Kafka record as our bus sends it: the value's schema id in the `schema` header. */
export interface EncodedRecord {
  key: string | null;
  value: Buffer;
  headers: Record<string, string>;
}

export type DecodedRecord<T> = { ok: true; value: T } | { ok: false; detail: string };

/** One record type's encode/decode pair: the only place its bytes and its schema header are written or read. */
export interface RecordCodec<T> {
  readonly schema: string;
  /** `headers` are sent besides `schema` (e.g. a dead letter's `reason`, for consumers that filter on it). */
  encode(value: T, key: string | null, headers?: Record<string, string>): EncodedRecord;
  /** The record's value, checked against its schema; never throws. */
  decode(value: Buffer): DecodedRecord<T>;
}

/**
 * The JSON a record's bytes hold. The parser's message is not repeated: it quotes the text, and
 * a record may hold a secret (a webhook's) or a device's bytes; the size is enough to find it.
 */
export function parseRecordJson(bytes: Buffer): { ok: true; json: unknown } | { ok: false; detail: string } {
  try {
    return { ok: true, json: JSON.parse(bytes.toString('utf8')) as unknown };
  } catch (error) {
    if (!(error instanceof SyntaxError)) throw error;
    return { ok: false, detail: `not JSON (${bytes.length} bytes)` };
  }
}

/** A JSON record codec that can also check JSON already parsed (a reader that parsed it to learn its version). */
export interface JsonRecordCodec<T> extends RecordCodec<T> {
  check(json: unknown): DecodedRecord<T>;
}

/** A codec of JSON records of `type`, sent with header `schema: <schemaId>`. */
export function jsonRecordCodec<S extends TSchema>(schemaId: string, type: S): JsonRecordCodec<Static<S>> {
  const validator = compileValidator(type);
  const check = (json: unknown): DecodedRecord<Static<S>> => {
    const checked = validator.validate(json);
    if (checked.ok) return checked;
    const [issue] = checked.issues;
    return { ok: false, detail: `does not match ${schemaId}: ${issue?.path || '/'} ${issue?.message ?? 'invalid'}` };
  };
  return {
    schema: schemaId,
    encode: (value, key, headers = {}) => ({ key, value: Buffer.from(JSON.stringify(value)), headers: { ...headers, schema: schemaId } }),
    check,
    decode(bytes) {
      const parsed = parseRecordJson(bytes);
      return parsed.ok ? check(parsed.json) : parsed;
    },
  };
}

export class RecordDecodeError extends Error {
  override readonly name = 'RecordDecodeError';
  readonly code = 'MTL_CONTRACTS_RECORD_UNREADABLE' satisfies ContractsErrorCode;
  readonly canRetry = CONTRACTS_ERRORS.canRetry(this.code);
}

/** The decoded value, for a reader to whom an unreadable record is a fault (a test, a tool), not an input. */
export function decodeOrThrow<T>(codec: RecordCodec<T>, bytes: Buffer): T {
  const decoded = codec.decode(bytes);
  if (!decoded.ok) throw new RecordDecodeError(`${codec.schema}: ${decoded.detail}`);
  return decoded.value;
}
