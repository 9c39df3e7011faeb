import { readFileSync } from 'node:fs';
import { createPrivateKey, type KeyObject } from 'node:crypto';
import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { Id, Quantity, compileValidator } from '@meterline/contracts';
import { addressBytes } from '@meterline/dlt645';
import { DEVICE_RECONNECT_BACKOFF } from '@meterline/simulator';
import { REGISTER_TYPES, registerCount } from './register-decoding.ts';
import { MAX_REGISTERS_PER_READ } from './read-blocks.ts';
import { EdgeError } from './errors.ts';

/** Where the config file is: its path, unless given as the first argument. */
export const CONFIG_PATH_ENV = 'MTL_EDGE_CONFIG';
/** The device's MQTT password, or a file holding it (one of the two, never both). */
export const MQTT_PASSWORD_ENV = 'MTL_EDGE_MQTT_PASSWORD';
export const MQTT_PASSWORD_FILE_ENV = 'MTL_EDGE_MQTT_PASSWORD_FILE';

const Port = Type.Integer({ minimum: 1, maximum: 65_535 });
const Host = Type.String({ minLength: 1, maxLength: 253 });
/** Each reading's destination: a metering point of the registry, what it measures, the unit of the value sent. */
const Destination = {
  point: Id,
  quantity: Quantity,
  unit: Type.String({ minLength: 1, maxLength: 16 }),
};
const Polling = {
  /** How often the meter is read. Readings are stamped with the instant the poll started. */
  pollIntervalMs: Type.Integer({ minimum: 100, default: 60_000 }),
  /** How long a connection or a reply may take before the poll counts as failed. */
  timeoutMs: Type.Integer({ minimum: 50, maximum: 60_000, default: 3_000 }),
};

const RegisterEntry = Type.Object(
  {
    function: Type.Union([Type.Literal('holding'), Type.Literal('input')]),
    /** The register's protocol address, from 0 (the "30001"/"40001" of a data sheet is address 0). */
    address: Type.Integer({ minimum: 0, maximum: 65_535 }),
    type: Type.Union(REGISTER_TYPES.map((t) => Type.Literal(t))),
    wordOrder: Type.Union([Type.Literal('high-first'), Type.Literal('low-first')], { default: 'high-first' }),
    /** The value sent is the register's value times this (e.g. 0.01 for a register counting 10 Wh steps in kWh). */
    scale: Type.Number({ exclusiveMinimum: 0, default: 1 }),
    ...Destination,
  },
  { additionalProperties: false },
);

const ModbusMeter = Type.Object(
  {
    kind: Type.Literal('modbus-tcp'),
    id: Id,
    host: Host,
    port: Type.Integer({ minimum: 1, maximum: 65_535, default: 502 }),
    /** The Modbus unit identifier (slave id): 1 to 247, or 255 for a device that is its own TCP end. */
    unitId: Type.Integer({ minimum: 0, maximum: 255, default: 1 }),
    /** Registers between two entries that may be read along in one request (0: only adjacent entries share one). */
    maxGap: Type.Integer({ minimum: 0, maximum: MAX_REGISTERS_PER_READ, default: 0 }),
    ...Polling,
    registers: Type.Array(RegisterEntry, { minItems: 1 }),
  },
  { additionalProperties: false },
);

/** The energy identifiers @meterline/dlt645 reads (appendix A): combined, forward and reverse active energy, totals, in kWh. */
const DataIdEntry = Type.Object(
  {
    dataId: Type.Union([Type.Literal('00000000'), Type.Literal('00010000'), Type.Literal('00020000')]),
    ...Destination,
    unit: Type.Literal('kWh'),
  },
  { additionalProperties: false },
);

const Dlt645Meter = Type.Object(
  {
    kind: Type.Literal('dlt645-tcp'),
    id: Id,
    host: Host,
    port: Port,
    /** The 12 digits printed on the meter (its communication address). */
    address: Type.String({ pattern: '^\\d{12}$' }),
    ...Polling,
    dataIds: Type.Array(DataIdEntry, { minItems: 1 }),
  },
  { additionalProperties: false },
);

const EdgeFileSchema = Type.Object(
  {
    /** The device id of the registry: MQTT username and client id both. */
    deviceId: Id,
    mqtt: Type.Object(
      {
        url: Type.String({ pattern: '^mqtts?://' }),
        keepaliveSeconds: Type.Integer({ minimum: 5, maximum: 65_535, default: 30 }),
        /** A publish without PUBACK for this long is sent again (same seq, same bytes). */
        ackTimeoutMs: Type.Integer({ minimum: 1_000, default: 30_000 }),
        /** After a lost connection, attempt n waits a random time up to min(reconnectMaxMs, reconnectFirstMaxMs · 2^n) (docs/device-integration.md). */
        reconnectFirstMaxMs: Type.Integer({ minimum: 10, default: DEVICE_RECONNECT_BACKOFF.firstMaxMs }),
        reconnectMaxMs: Type.Integer({ minimum: 10, default: DEVICE_RECONNECT_BACKOFF.maxMs }),
        /**
         * Nothing queued is sent for this long after each CONNACK: a broker just restarted may not
         * deliver to ingest yet (Mosquitto 2.0.11; docs/edge-agent.md), and what it acknowledged meanwhile is lost.
         */
        holdAfterConnectMs: Type.Integer({ minimum: 0, maximum: 600_000, default: 5_000 }),
        /** PEM file of the certificate authorities an `mqtts://` broker is checked against (default: Node's own list). */
        caFile: Type.Optional(Type.String({ minLength: 1 })),
      },
      { additionalProperties: false },
    ),
    /** PEM (PKCS #8) Ed25519 private key: every payload is signed when set. */
    signingKeyFile: Type.Optional(Type.String({ minLength: 1 })),
    queue: Type.Object(
      {
        /** The SQLite file of the store-and-forward queue; its directory must exist. */
        file: Type.String({ minLength: 1 }),
        /**
         * Payloads a second the agent sends at most. The broker lets a device send 20 a second
         * after a burst of 200, and refuses the excess: staying below it replays a backlog without refusals.
         */
        messagesPerSecond: Type.Number({ exclusiveMinimum: 0, maximum: 1_000, default: 10 }),
        /** Payload bytes a second at most; the broker allows 64 KiB a second per device. */
        bytesPerSecond: Type.Integer({ minimum: 1_024, default: 32_768 }),
        /** Readings per payload at most (payload v1 allows 1 000); a poll with more is sent as several payloads. */
        maxReadingsPerPayload: Type.Integer({ minimum: 1, maximum: 1_000, default: 200 }),
      },
      { additionalProperties: false },
    ),
    /** The UTC offset readings are stamped with (e.g. 480 for UTC+08:00): the site's local time. */
    utcOffsetMinutes: Type.Integer({ minimum: -720, maximum: 840, default: 0 }),
    ops: Type.Object(
      {
        host: Type.String({ default: '127.0.0.1' }),
        port: Type.Integer({ minimum: 0, maximum: 65_535, default: 9_470 }),
      },
      { additionalProperties: false, default: {} },
    ),
    logLevel: Type.Union([Type.Literal('debug'), Type.Literal('info'), Type.Literal('warn'), Type.Literal('error')], { default: 'info' }),
    /** Checked one by one below against the schema of their `kind`, so an error names the field at fault. */
    meters: Type.Array(Type.Object({ kind: Type.Union([Type.Literal('modbus-tcp'), Type.Literal('dlt645-tcp')]) }), { minItems: 1 }),
  },
  { additionalProperties: false },
);

export type ModbusMeterConfig = Static<typeof ModbusMeter>;
export type RegisterEntryConfig = Static<typeof RegisterEntry>;
export type Dlt645MeterConfig = Static<typeof Dlt645Meter>;
type MeterConfig = ModbusMeterConfig | Dlt645MeterConfig;

export interface EdgeConfig extends Omit<Static<typeof EdgeFileSchema>, 'meters' | 'signingKeyFile'> {
  readonly meters: readonly MeterConfig[];
  readonly mqtt: Omit<Static<typeof EdgeFileSchema>['mqtt'], 'caFile'> & { readonly password: string; readonly ca: Buffer | undefined };
  readonly signingKey: KeyObject | undefined;
}

const fileValidator = compileValidator(EdgeFileSchema, { allErrors: true });
const meterValidators = { 'modbus-tcp': compileValidator(ModbusMeter, { allErrors: true }), 'dlt645-tcp': compileValidator(Dlt645Meter, { allErrors: true }) };

function checked<S extends TSchema>(schema: S, validator: { validate(input: unknown): { ok: true; value: Static<S> } | { ok: false; issues: { path: string; message: string }[] } }, input: unknown, at: string, problems: string[]): Static<S> | undefined {
  const withDefaults = Value.Default(schema, structuredClone(input));
  const result = validator.validate(withDefaults);
  if (result.ok) return result.value;
  problems.push(...result.issues.map((i) => `${at}${i.path || ''}: ${i.message}`));
  return undefined;
}

/** What the file says beyond its schema: ids and points unique, a register inside the address space, a DL/T 645 address BCD. */
function crossChecks(meters: readonly MeterConfig[], problems: string[]): void {
  const meterIds = new Map<string, number>();
  const points = new Map<string, string>();
  meters.forEach((meter, m) => {
    const seen = meterIds.get(meter.id);
    if (seen !== undefined) problems.push(`/meters/${m}/id: "${meter.id}" is also the id of /meters/${seen}`);
    meterIds.set(meter.id, m);
    const entries = meter.kind === 'modbus-tcp' ? meter.registers.map((r, i) => ({ point: r.point, at: `/meters/${m}/registers/${i}` })) : meter.dataIds.map((d, i) => ({ point: d.point, at: `/meters/${m}/dataIds/${i}` }));
    for (const { point, at } of entries) {
      // One source per point: two would send two values for one (point, instant), and the second is a conflict.
      const other = points.get(point);
      if (other !== undefined) problems.push(`${at}/point: "${point}" is already read by ${other}`);
      else points.set(point, at);
    }
    if (meter.kind === 'modbus-tcp') {
      meter.registers.forEach((r, i) => {
        if (r.address + registerCount(r.type) > 65_536) problems.push(`/meters/${m}/registers/${i}/address: a ${r.type} at ${r.address} runs past the last register (65535)`);
      });
    } else if (addressBytes(meter.address) === undefined) {
      problems.push(`/meters/${m}/address: "${meter.address}" is not a DL/T 645 address`);
    }
  });
}

function readSecret(env: NodeJS.ProcessEnv, problems: string[]): string {
  const direct = env[MQTT_PASSWORD_ENV];
  const file = env[MQTT_PASSWORD_FILE_ENV];
  if (direct !== undefined && file !== undefined) {
    problems.push(`${MQTT_PASSWORD_ENV} and ${MQTT_PASSWORD_FILE_ENV}: set one of them, not both`);
    return '';
  }
  if (file !== undefined) {
    try {
      const password = readFileSync(file, 'utf8').replace(/\r?\n$/, '');
      if (password === '') problems.push(`${MQTT_PASSWORD_FILE_ENV}: ${file} is empty`);
      return password;
    } catch (error) {
      problems.push(`${MQTT_PASSWORD_FILE_ENV}: cannot read ${file} (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
      return '';
    }
  }
  if (direct === undefined || direct === '') problems.push(`${MQTT_PASSWORD_ENV} (or ${MQTT_PASSWORD_FILE_ENV}): the device's MQTT password is required`);
  return direct ?? '';
}

function readCa(file: string | undefined, problems: string[]): Buffer | undefined {
  if (file === undefined) return undefined;
  try {
    const pem = readFileSync(file);
    if (!pem.includes('-----BEGIN CERTIFICATE-----')) problems.push(`/mqtt/caFile: ${file} holds no PEM certificate`);
    return pem;
  } catch (error) {
    problems.push(`/mqtt/caFile: cannot read ${file} (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
    return undefined;
  }
}

function readSigningKey(file: string | undefined, problems: string[]): KeyObject | undefined {
  if (file === undefined) return undefined;
  try {
    const key = createPrivateKey(readFileSync(file));
    if (key.asymmetricKeyType === 'ed25519') return key;
    problems.push(`/signingKeyFile: ${file} holds a ${key.asymmetricKeyType ?? 'unknown'} key, not Ed25519`);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    problems.push(`/signingKeyFile: cannot read a PEM private key from ${file} (${code ?? String(error)})`);
  }
  return undefined;
}

/**
 * The agent's configuration: the JSON document `text` checked against the schema, each meter
 * against the schema of its kind, the secrets from `env`. Every problem is listed at once, by
 * JSON pointer (`/meters/0/registers/2/type: …`) or variable name. Frozen.
 */
export function parseEdgeConfig(text: string, env: NodeJS.ProcessEnv): EdgeConfig {
  const problems: string[] = [];
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch (error) {
    throw new EdgeError('MTL_EDGE_CONFIG_INVALID', `invalid configuration:\n  the file is not JSON: ${(error as Error).message}`);
  }
  const file = checked(EdgeFileSchema, fileValidator, document, '', problems);
  const rawMeters = typeof document === 'object' && document !== null && Array.isArray((document as { meters?: unknown }).meters) ? ((document as { meters: unknown[] }).meters) : [];
  const meters: MeterConfig[] = [];
  rawMeters.forEach((raw, i) => {
    const kind = (raw as { kind?: unknown } | null)?.kind;
    if (kind === 'modbus-tcp' || kind === 'dlt645-tcp') {
      const meter = kind === 'modbus-tcp' ? checked(ModbusMeter, meterValidators[kind], raw, `/meters/${i}`, problems) : checked(Dlt645Meter, meterValidators[kind], raw, `/meters/${i}`, problems);
      if (meter) meters.push(meter);
    }
  });
  if (meters.length === rawMeters.length) crossChecks(meters, problems);
  const password = readSecret(env, problems);
  const signingKey = readSigningKey(file?.signingKeyFile, problems);
  const ca = readCa(file?.mqtt.caFile, problems);
  if (problems.length > 0 || file === undefined) throw new EdgeError('MTL_EDGE_CONFIG_INVALID', `invalid configuration:\n  ${problems.join('\n  ')}`);
  const { signingKeyFile: _file, meters: _meters, ...rest } = file;
  const { caFile: _caFile, ...mqtt } = file.mqtt;
  return Object.freeze({ ...rest, mqtt: Object.freeze({ ...mqtt, password, ca }), meters: Object.freeze(meters), signingKey });
}

/** The config file named by the first argument or MTL_EDGE_CONFIG, parsed. */
export function loadEdgeConfig(argv: readonly string[], env: NodeJS.ProcessEnv): EdgeConfig {
  const path = argv[0] ?? env[CONFIG_PATH_ENV];
  if (path === undefined) throw new EdgeError('MTL_EDGE_CONFIG_INVALID', `invalid configuration:\n  no config file: pass its path as the first argument or in ${CONFIG_PATH_ENV}`);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new EdgeError('MTL_EDGE_CONFIG_INVALID', `invalid configuration:\n  cannot read ${path} (${(error as NodeJS.ErrnoException).code ?? String(error)})`, { cause: error });
  }
  return parseEdgeConfig(text, env);
}
