import { Type, type Static } from '@sinclair/typebox';
import { jsonRecordCodec, type EncodedRecord } from './kafka-record.ts';

const FACTOR_SET_RECORD_SCHEMA_ID = 'meterline.factor-set.v1';

const Confidence = Type.Union([Type.Literal('H'), Type.Literal('M'), Type.Literal('L')]);
const Source = Type.String({ minLength: 1, maxLength: 500, description: 'where the value is published (document, table, clause)' });

/**
 * A factor set a deployment adds to the shipped ones: which tables it takes (standard coal,
 * fuels, an equal-value coefficient, a grid data year) and the values it sets itself, each
 * cited. The domain's checkFactorSetDefinition checks it against the tables.
 */
export const FactorSetDefinitionV1 = Type.Object(
  {
    name: Type.String({ pattern: '^[a-z0-9][a-z0-9._-]{0,63}$' }),
    version: Type.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$' }),
    regions: Type.Optional(
      Type.Array(Type.String({ pattern: '^[A-Z]{2}(-[A-Z0-9]{1,3})?$' }), {
        minItems: 1,
        maxItems: 100,
        description: 'where the set applies: ISO 3166-1 countries (CN) or ISO 3166-2 subdivisions (CN-CQ); absent: the regions of the shipped tables (CN). An enterprise outside them gets no figures from it',
      }),
    ),
    description: Type.String({ minLength: 1, maxLength: 500 }),
    standardCoal: Type.String({ minLength: 1, maxLength: 64 }),
    gridDataYear: Type.Integer({ minimum: 2000, maximum: 2100 }),
    fuels: Type.String({ minLength: 1, maxLength: 64 }),
    electricityEqualValue: Type.String({ minLength: 1, maxLength: 64 }),
    overrides: Type.Optional(
      Type.Object(
        {
          gridFactors: Type.Optional(
            Type.Array(
              Type.Object(
                {
                  dataYear: Type.Union([Type.Integer({ minimum: 2000, maximum: 2100 }), Type.Null()]),
                  level: Type.Union([Type.Literal('national'), Type.Literal('regional'), Type.Literal('provincial'), Type.Literal('ets'), Type.Literal('residual-mix')], {
                    description: 'residual-mix: the factor market-based scope 2 uses for electricity no contractual instrument covers',
                  }),
                  region: Type.Optional(Type.String({ minLength: 1, maxLength: 16 })),
                  /** tCO2/MWh. */
                  value: Type.Number(),
                  source: Source,
                  confidence: Confidence,
                },
                { additionalProperties: false },
              ),
              { maxItems: 200 },
            ),
          ),
          standardCoal: Type.Optional(
            Type.Array(
              Type.Object(
                {
                  carrier: Type.String({ minLength: 1, maxLength: 64 }),
                  /** kgce per perUnit. */
                  value: Type.Number(),
                  unit: Type.String({ minLength: 1, maxLength: 16, description: 'kgce/kg, kgce/m3, kgce/kWh, kgce/MJ or kgce/t' }),
                  perUnit: Type.String({ minLength: 1, maxLength: 16 }),
                  minPressureMPa: Type.Optional(Type.Number({ minimum: 0, maximum: 30 })),
                  source: Source,
                  confidence: Confidence,
                },
                { additionalProperties: false },
              ),
              { maxItems: 100 },
            ),
          ),
          electricityEqualValue: Type.Optional(
            Type.Object(
              { value: Type.Number(), dataYear: Type.Integer({ minimum: 2000, maximum: 2100 }), source: Source, confidence: Confidence },
              { additionalProperties: false },
            ),
          ),
        },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
);
export type FactorSetDefinitionV1 = Static<typeof FactorSetDefinitionV1>;

/**
 * Kafka factor set v1, on the compacted topic `meterline.factor-sets.v1`, keyed `<name>@<version>`.
 * A published set never changes: readers keep the first record of a key and refuse a different
 * later one, so a figure that names a set keeps meaning the same values.
 */
export const FactorSetRecordV1 = Type.Object(
  { v: Type.Literal(1), set: FactorSetDefinitionV1, createdAt: Type.String(), createdBy: Type.String({ minLength: 1 }) },
  { additionalProperties: false },
);
export type FactorSetRecordV1 = Static<typeof FactorSetRecordV1>;

export const factorSetKey = (set: { name: string; version: string }): string => `${set.name}@${set.version}`;

/** The value of a factor-set record; the key is the set's name@version. */
const factorSetRecordCodec = jsonRecordCodec(FACTOR_SET_RECORD_SCHEMA_ID, FactorSetRecordV1);

/** The record that publishes a set, keyed by its name@version. */
export const factorSetRecord = (record: FactorSetRecordV1): EncodedRecord => factorSetRecordCodec.encode(record, factorSetKey(record.set));

/** Reads one record of the factor-set topic, or says why it cannot be used. */
export function decodeFactorSetRecord(key: string | null, value: Buffer): { ok: true; record: FactorSetRecordV1 } | { ok: false; detail: string } {
  const decoded = factorSetRecordCodec.decode(value);
  if (!decoded.ok) return decoded;
  if (key !== factorSetKey(decoded.value.set)) return { ok: false, detail: `key ${JSON.stringify(key)} does not name the set ${factorSetKey(decoded.value.set)} it carries` };
  return { ok: true, record: decoded.value };
}
