import { Type, type Static, type TLiteral, type TUnion } from '@sinclair/typebox';
import { CARRIERS } from '../carriers.ts';
import { QUANTITIES } from '../quantities.ts';

/**
 * The registry manifest, version 1, as a TypeBox schema: the schema is also the
 * TypeScript type. Structural checks live here; checks across fields (ids, references,
 * units against quantities, dates) live in manifest.ts.
 */

function literals<T extends readonly string[]>(values: T, description: string): TUnion<TLiteral<T[number]>[]> {
  return Type.Union(values.map((v) => Type.Literal(v as T[number])), { description });
}

/** Ids become MQTT topic levels and InfluxDB tag values: keep them to a safe alphabet. */
export const ID_PATTERN = '^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$';
const DATE_PATTERN = '^\\d{4}-\\d{2}-\\d{2}$';
/** An ISO 8601 instant with an explicit offset (Z or ±hh:mm): a reading without one is ambiguous. */
export const INSTANT_PATTERN = '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}(:\\d{2}(\\.\\d{1,9})?)?(Z|[+-]\\d{2}:\\d{2})$';

const Id = Type.String({ pattern: ID_PATTERN, description: 'id: letters, digits, ".", "_" or "-", at most 64 characters, not starting with a symbol' });
const Text = Type.String({ minLength: 1 });
const DateString = Type.String({ pattern: DATE_PATTERN, description: 'a date YYYY-MM-DD' });
const Instant = Type.String({ pattern: INSTANT_PATTERN, description: 'an ISO 8601 timestamp with offset' });

export const GRID_REGIONS = ['north', 'northeast', 'east', 'central', 'northwest', 'south', 'southwest'] as const;
export type GridRegion = (typeof GRID_REGIONS)[number];
const SCOPE2_LEVELS = ['national', 'regional', 'provincial', 'ets'] as const;
export type Scope2Level = (typeof SCOPE2_LEVELS)[number];
export const TOPOLOGY_ROLES = ['boundary-input', 'boundary-output', 'sub-meter', 'equipment'] as const;
export type TopologyRole = (typeof TOPOLOGY_ROLES)[number];
const INSTRUMENT_KINDS = ['green-certificate', 'ppa', 'supplier-specific'] as const;

const Amount = Type.Object({ value: Type.Number({ exclusiveMinimum: 0 }), unit: Text }, { additionalProperties: false });

const ReplacementSchema = Type.Object(
  {
    at: Instant,
    oldFinalRegister: Type.Number({ minimum: 0 }),
    newInitialRegister: Type.Number({ minimum: 0 }),
    serial: Type.Optional(Text),
  },
  { additionalProperties: false },
);

const MeteringPointSchema = Type.Object(
  {
    id: Id,
    name: Type.Optional(Text),
    carrier: literals(CARRIERS, 'carrier'),
    quantity: literals(QUANTITIES, 'quantity'),
    unit: Text,
    /** Ratio applied to register values (CT x VT ratio); register x multiplier is in `unit`. */
    multiplier: Type.Optional(Type.Number({ exclusiveMinimum: 0 })),
    /** The register wraps to 0 on reaching this value (a 6-digit register: 1000000). In register units, before the multiplier. */
    registerMax: Type.Optional(Type.Number({ exclusiveMinimum: 0 })),
    /** Accuracy class as a maximum permissible error in percent (0.5 means ±0.5 %). */
    accuracyClass: Type.Number({ exclusiveMinimum: 0, maximum: 10 }),
    /** Physical capacity: the largest rate the point can carry, e.g. the transformer rating. */
    maxPower: Type.Optional(Amount),
    /** Steam metered by mass is converted to standard coal by its pressure class (GB/T 2589 statistics convention). */
    steamPressureMPa: Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: 30 })),
    /**
     * How often the point is read, an ISO 8601 duration: PT1M to PT24H in whole minutes, P1D
     * (once per local day) or P1M (once per local month). Default PT15M (GB/T 38692-2020
     * real-time indicators). Data completeness counts readings against it, and an interval
     * up to 1.5 of it is interpolated as measured (quality/cadence.ts).
     */
    expectedInterval: Type.Optional(Type.String({ minLength: 1, description: 'an ISO 8601 duration, e.g. PT15M, PT1H, P1D' })),
    /** The day the point was commissioned: no reading of it can be older. When absent, the calibration's start stands in. */
    commissioned: Type.Optional(DateString),
    calibration: Type.Object(
      { certificate: Text, validFrom: DateString, validUntil: DateString },
      { additionalProperties: false },
    ),
    topology: Type.Object(
      { role: literals(TOPOLOGY_ROLES, 'topology role'), parent: Type.Optional(Id) },
      { additionalProperties: false },
    ),
    replacements: Type.Optional(Type.Array(ReplacementSchema)),
  },
  { additionalProperties: false },
);

const SiteSchema = Type.Object(
  { id: Id, name: Text, meteringPoints: Type.Array(MeteringPointSchema) },
  { additionalProperties: false },
);

/** A device's Ed25519 public key as a JWK (RFC 8037): with one, every payload of the device must carry a valid signature. */
const DevicePublicKeySchema = Type.Object(
  {
    kty: Type.Literal('OKP'),
    crv: Type.Literal('Ed25519'),
    x: Type.String({ pattern: '^[A-Za-z0-9_-]{43}$', description: 'base64url, no padding, of the 32-byte public key' }),
  },
  { additionalProperties: false },
);

/** A Sparkplug B id (group, edge node, device): one topic level, so no `/`, `+` or `#` (specification, chapter 4). */
const SparkplugId = Type.String({ pattern: '^[^/+#]{1,64}$', description: 'a Sparkplug B id: 1 to 64 characters, none of "/", "+" or "#"' });

/** One Sparkplug metric the device's edge node reports, and the metering point it reads. */
const SparkplugMetricSchema = Type.Object(
  {
    /** The Sparkplug device under the node that reports it; absent for the node's own metrics (NDATA). */
    device: Type.Optional(SparkplugId),
    /** The metric's name as its birth declares it, e.g. "Meter 1/Active Energy Import". */
    metric: Type.String({ minLength: 1, maxLength: 256 }),
    point: Id,
    /** The unit the metric's values are in (Sparkplug carries none): converted to the point's. */
    unit: Text,
  },
  { additionalProperties: false },
);

/**
 * A gateway speaking Sparkplug B 3.0: its edge node id is the device id (the broker account it
 * connects with), and each mapped metric reads one of the device's metering points.
 */
const DeviceSparkplugSchema = Type.Object(
  {
    group: SparkplugId,
    metrics: Type.Array(SparkplugMetricSchema, { minItems: 1 }),
  },
  { additionalProperties: false },
);

const DeviceSchema = Type.Object(
  {
    id: Id,
    kind: literals(['meter', 'gateway'] as const, 'device kind'),
    meteringPoints: Type.Array(Id, { minItems: 1 }),
    publicKey: Type.Optional(DevicePublicKeySchema),
    sparkplug: Type.Optional(DeviceSparkplugSchema),
  },
  { additionalProperties: false },
);

const ProductionSchema = Type.Object(
  {
    /** YYYY, YYYY-MM or YYYY-MM-DD in the enterprise's time zone. */
    period: Type.String({ pattern: '^\\d{4}(-\\d{2}(-\\d{2})?)?$' }),
    product: Text,
    value: Type.Number({ minimum: 0 }),
    /** Free text (t, pcs, m2): intensities are reported per this unit. */
    unit: Text,
    site: Type.Optional(Id),
  },
  { additionalProperties: false },
);

/** A plant built before its product's limit standard applies is held to the limit value, a new or extended one to the access value. */
export const PLANT_KINDS = ['existing', 'new'] as const;
export type PlantKind = (typeof PLANT_KINDS)[number];

/** Which product of the registry is which limit standard's product (limits/limit-standards.ts). */
const ProductLimitSchema = Type.Object(
  {
    /** As production and manual entries name it. */
    product: Text,
    /** A product id of the limit data set (e.g. cement-clinker). */
    limitProduct: Id,
    /** The site that makes it; absent: the enterprise as a whole. */
    site: Type.Optional(Id),
    plant: literals(PLANT_KINDS, 'plant kind'),
  },
  { additionalProperties: false },
);

/** Contractual instruments for market-based scope 2 (GHG Protocol Scope 2 Guidance, ch. 6). */
const ContractualInstrumentSchema = Type.Object(
  {
    id: Id,
    kind: literals(INSTRUMENT_KINDS, 'instrument kind'),
    validFrom: DateString,
    validUntil: DateString,
    energy: Amount,
    /** tCO2 per MWh delivered under the instrument (0 for renewable certificates). */
    emissionFactor: Type.Number({ minimum: 0, maximum: 2 }),
  },
  { additionalProperties: false },
);

/** What a daily energy baseline may regress on (packages/mining's daily baseline). */
export const BASELINE_VARIABLES = ['production', 'workingDay', 'degreeDays'] as const;
export type BaselineVariable = (typeof BASELINE_VARIABLES)[number];

/**
 * An energy baseline the enterprise declared (ISO 50001's EnB, ISO 50006): the subject (its
 * standard coal, or one metering point's consumption), the baseline period and what the energy
 * depends on. Every later day is judged against it (baseline_deviation figures), and its month
 * is the monthly report's savings.
 */
const EnergyBaselineSchema = Type.Object(
  {
    id: Id,
    /** A metering point of the enterprise: its day consumption; absent: the enterprise's standard coal (tce, equivalent value), or the site's. */
    point: Type.Optional(Id),
    /** A site of the enterprise: its standard coal (tce, equivalent value); not with `point`. */
    site: Type.Optional(Id),
    /** The baseline period, local days inclusive: YYYY-MM-DD..YYYY-MM-DD. */
    period: Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}\\.\\.\\d{4}-\\d{2}-\\d{2}$', description: 'the baseline period, local days inclusive, e.g. 2025-01-01..2025-12-31' }),
    /** Default: each the baseline's days have. */
    variables: Type.Optional(Type.Array(literals(BASELINE_VARIABLES, 'baseline variable'), { minItems: 1, uniqueItems: true })),
    /** The product whose production entries are the production variable (required when several are entered). */
    product: Type.Optional(Text),
  },
  { additionalProperties: false },
);

export const EnterpriseSchema = Type.Object(
  {
    id: Id,
    name: Text,
    region: Type.String({ pattern: '^[A-Z]{2}-[A-Z0-9]{1,3}$', description: 'ISO 3166-2 subdivision, e.g. CN-CQ' }),
    gridRegion: literals(GRID_REGIONS, 'grid region'),
    timeZone: Text,
    factorSet: Type.Object({ name: Text, version: Text }, { additionalProperties: false }),
    scope2Level: literals(SCOPE2_LEVELS, 'scope 2 factor level'),
    contractualInstruments: Type.Optional(Type.Array(ContractualInstrumentSchema)),
    sites: Type.Array(SiteSchema, { minItems: 1 }),
    devices: Type.Array(DeviceSchema),
    production: Type.Optional(Type.Array(ProductionSchema)),
    products: Type.Optional(Type.Array(ProductLimitSchema)),
    energyBaselines: Type.Optional(Type.Array(EnergyBaselineSchema)),
    /**
     * The enterprise's working calendar, where it differs from Monday to Friday: weekdays off
     * (public holidays, shutdowns) and weekend days worked (the days a holiday is moved to).
     * Baselines regress on working days, and base load is judged on the days off.
     */
    calendar: Type.Optional(
      Type.Object(
        { daysOff: Type.Optional(Type.Array(DateString, { uniqueItems: true })), workingDays: Type.Optional(Type.Array(DateString, { uniqueItems: true })) },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
);

export const ManifestSchema = Type.Object(
  { version: Type.Literal(1), enterprises: Type.Array(EnterpriseSchema, { minItems: 1 }) },
  { additionalProperties: false },
);

export type Manifest = Static<typeof ManifestSchema>;
export type Enterprise = Static<typeof EnterpriseSchema>;
export type Site = Static<typeof SiteSchema>;
export type MeteringPoint = Static<typeof MeteringPointSchema>;
export type Device = Static<typeof DeviceSchema>;
export type ProductLimitMapping = Static<typeof ProductLimitSchema>;
export type EnergyBaseline = Static<typeof EnergyBaselineSchema>;
