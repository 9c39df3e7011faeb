import type { Static, TSchema } from '@sinclair/typebox';
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
  encode(value: T, key: string | null): EncodedRecord;
  /** The record's value, checked against its schema; never throws. */
  decode(value: Buffer): DecodedRecord<T>;
}

/** A codec of JSON records of `type`, sent with header `schema: <schemaId>`. */
export function jsonRecordCodec<S extends TSchema>(schemaId: string, type: S): RecordCodec<Static<S>> {
  const validator = compileValidator(type);
  return {
    schema: schemaId,
    encode: (value, key) => ({ key, value: Buffer.from(JSON.stringify(value)), headers: { schema: schemaId } }),
    decode(bytes) {
      let json: unknown;
      try {
        json = JSON.parse(bytes.toString('utf8'));
      } catch (error) {
        return { ok: false, detail: `not JSON: ${(error as Error).message}` };
      }
      const checked = validator.validate(json);
      if (checked.ok) return checked;
      const [issue] = checked.issues;
      return { ok: false, detail: `does not match ${schemaId}: ${issue?.path || '/'} ${issue?.message ?? 'invalid'}` };
    },
  };
}
