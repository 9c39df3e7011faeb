import { isFieldSet } from '@bufbuild/protobuf';
import { DataType, Payload_MetricSchema, PayloadSchema, type Payload, type Payload_Metric } from './gen/sparkplug_b_pb.ts';
import type { SparkplugTopic } from './topic.ts';

/**
 * The host application's side of Sparkplug B 3.0 (the specification's "Operational
 * behavior"), as pure state: what each edge node's message means given the node's birth.
 *
 * - NBIRTH: seq 0 and a `bdSeq` metric; it declares the node's metrics and their aliases, and
 *   every device of the node must be born again after it.
 * - DBIRTH: a device's metrics and aliases, after its node's birth.
 * - NDATA, DDATA: values by name or by alias, each named or aliased in the birth.
 * - seq counts every message of a node after its NBIRTH (births, data, device deaths), 0 to 255
 *   and round again; a gap means the host missed something.
 * - NDEATH: the broker's Will, with the `bdSeq` of the birth it ends; one with another bdSeq is
 *   the end of an older session, and changes nothing.
 *
 * What cannot be trusted any more (a seq gap, an alias or a device never born) makes the host ask
 * the node for a rebirth (`Node Control/Rebirth`). Values are kept where they can still be read;
 * those that cannot are refused with a reason.
 */

/** A metric value Meterline can store. */
interface MetricSample {
  /** The metric's position in the payload's list. */
  index: number;
  name: string;
  /** The metric's own timestamp, or the payload's (ms since the epoch). */
  timestampMs: number;
  value: number | boolean | string | null;
  /** Sparkplug DataType, from the metric or, in data, from its birth. */
  datatype: number;
}

interface RefusedMetric {
  index: number;
  /** The name, or `alias <n>` for a metric sent by alias alone. */
  metric: string;
  reason: string;
}

export interface HostVerdict {
  samples: MetricSample[];
  refused: RefusedMetric[];
  /** Who went online or offline: the node itself (no device) or one of its devices. */
  status: { device?: string; online: boolean }[];
  /** Why the node should be asked to rebirth, when it should. */
  rebirth?: string;
  /** Why the message changed nothing, when it did not. */
  ignored?: string;
}

interface Declared {
  name: string;
  datatype: number;
}

interface Born {
  byAlias: Map<bigint, Declared>;
  byName: Map<string, Declared>;
}

interface NodeSession extends Born {
  bdSeq: bigint;
  lastSeq: number;
  devices: Map<string, Born>;
}

const BD_SEQ = 'bdSeq';
/** Node control and property metrics describe the node, not what it measures. */
const isControl = (name: string) => name === BD_SEQ || name.startsWith('Node Control/') || name.startsWith('Device Control/');
const SEQ_MODULUS = 256;
/** The integers a double holds exactly, as bigints: made once, not per metric. */
const MAX_EXACT = BigInt(Number.MAX_SAFE_INTEGER);
const MIN_EXACT = BigInt(Number.MIN_SAFE_INTEGER);

export interface SparkplugHostOptions {
  /**
   * Whether a device of a node is one the host keeps a birth of. The messages of any other are
   * refused (seq still counted) and never remembered, so what a node declares cannot grow the
   * host's memory past the devices it is meant to have.
   */
  tracksDevice?: (group: string, node: string, device: string) => boolean;
}

export class SparkplugHost {
  /** Born nodes by `group/node`. */
  private readonly sessions = new Map<string, NodeSession>();
  private readonly tracksDevice: NonNullable<SparkplugHostOptions['tracksDevice']>;

  constructor(options: SparkplugHostOptions = {}) {
    this.tracksDevice = options.tracksDevice ?? (() => true);
  }

  handle(topic: SparkplugTopic, payload: Payload): HostVerdict {
    const key = `${topic.group}/${topic.node}`;
    const session = this.sessions.get(key);
    switch (topic.type) {
      case 'NBIRTH':
        return this.nodeBirth(key, payload);
      case 'NDEATH':
        return this.nodeDeath(key, session, payload);
      case 'NCMD':
      case 'DCMD':
        return nothing('a command to the node, not a report from it');
      default:
        break;
    }
    if (!session) return { ...selfDescribed(payload, `${topic.type} from a node with no birth`), rebirth: `${topic.type} before the node's birth` };
    const gap = checkSeq(session, payload);
    const verdict = this.deviceOrData(topic, session, payload);
    if (gap !== undefined) verdict.rebirth ??= gap;
    return verdict;
  }

  /** Whether the node has a live birth (for its status, and to know what to ask a rebirth of). */
  isOnline(group: string, node: string): boolean {
    return this.sessions.has(`${group}/${node}`);
  }

  private nodeBirth(key: string, payload: Payload): HostVerdict {
    const previous = this.sessions.get(key);
    this.sessions.delete(key);
    const offline = previous ? [...previous.devices.keys()].map((device) => ({ device, online: false })) : [];
    // A birth that cannot be used ends the session before it all the same.
    const refuse = (why: string, rebirth: string): HostVerdict => ({ ...nothing(why), status: previous ? [...offline, { online: false }] : [], rebirth });
    if (payload.seq !== 0n) return refuse(`NBIRTH with seq ${payload.seq}, not 0`, 'NBIRTH seq not 0');
    const bdSeq = payload.metrics.find((m) => m.name === BD_SEQ);
    if (bdSeq?.value.case !== 'longValue' && bdSeq?.value.case !== 'intValue') return refuse('NBIRTH without an integer bdSeq metric', 'NBIRTH without bdSeq');
    const born = declare(payload.metrics);
    if ('duplicate' in born) return refuse(born.duplicate, born.duplicate);
    this.sessions.set(key, { ...born, bdSeq: BigInt(bdSeq.value.value), lastSeq: 0, devices: new Map() });
    const verdict = values(payload, born, (m) => !isControl(m.name));
    verdict.status = [...offline, { online: true }];
    return verdict;
  }

  private nodeDeath(key: string, session: NodeSession | undefined, payload: Payload): HostVerdict {
    const bdSeq = payload.metrics.find((m) => m.name === BD_SEQ)?.value;
    const value = bdSeq?.case === 'longValue' || bdSeq?.case === 'intValue' ? BigInt(bdSeq.value) : undefined;
    if (!session) return nothing('NDEATH of a node with no birth');
    if (value !== session.bdSeq) return nothing(`NDEATH with bdSeq ${value ?? 'none'}, the birth had ${session.bdSeq}: an older session's`);
    this.sessions.delete(key);
    return { samples: [], refused: [], status: [...[...session.devices.keys()].map((device) => ({ device, online: false })), { online: false }] };
  }

  private deviceOrData(topic: SparkplugTopic, session: NodeSession, payload: Payload): HostVerdict {
    if (topic.type === 'NDATA') return values(payload, session);
    const device = topic.device!;
    if (!this.tracksDevice(topic.group, topic.node, device)) {
      const refused = payload.metrics.map((m, index) => ({ index, metric: label(m), reason: `device "${device}" is not one this host keeps` }));
      return { samples: [], refused, status: [] };
    }
    if (topic.type === 'DBIRTH') {
      const born = declare(payload.metrics);
      if ('duplicate' in born) {
        session.devices.delete(device);
        return { ...nothing(born.duplicate), rebirth: born.duplicate };
      }
      session.devices.set(device, born);
      const verdict = values(payload, born, (m) => !isControl(m.name));
      verdict.status = [{ device, online: true }];
      return verdict;
    }
    const born = session.devices.get(device);
    if (topic.type === 'DDEATH') {
      if (!born) return nothing(`DDEATH of device "${device}", which has no birth`);
      session.devices.delete(device);
      return { samples: [], refused: [], status: [{ device, online: false }] };
    }
    if (!born) return { ...selfDescribed(payload, `device "${device}" has no birth`), rebirth: `DDATA from device "${device}" before its birth` };
    return values(payload, born);
  }
}

const nothing = (ignored: string): HostVerdict => ({ samples: [], refused: [], status: [], ignored });

/** The seq a node's message must carry after the last one, or why it does not. */
function checkSeq(session: NodeSession, payload: Payload): string | undefined {
  const expected = (session.lastSeq + 1) % SEQ_MODULUS;
  const seq = isFieldSet(payload, PayloadSchema.field.seq) ? Number(payload.seq) : undefined;
  if (seq !== undefined && seq < SEQ_MODULUS) session.lastSeq = seq;
  return seq === expected ? undefined : `seq ${seq ?? 'missing'} where ${expected} was next`;
}

/** The names and aliases a birth declares, or why the birth cannot be used. */
function declare(metrics: readonly Payload_Metric[]): Born | { duplicate: string } {
  const byAlias = new Map<bigint, Declared>();
  const byName = new Map<string, Declared>();
  for (const m of metrics) {
    if (!m.name) return { duplicate: 'a birth metric without a name' };
    const declared = { name: m.name, datatype: m.datatype };
    if (byName.has(m.name)) return { duplicate: `metric "${m.name}" born twice` };
    byName.set(m.name, declared);
    if (isFieldSet(m, Payload_MetricSchema.field.alias)) {
      if (byAlias.has(m.alias)) return { duplicate: `alias ${m.alias} given to "${byAlias.get(m.alias)!.name}" and "${m.name}"` };
      byAlias.set(m.alias, declared);
    }
  }
  return { byAlias, byName };
}

const label = (m: Payload_Metric) => m.name || `alias ${m.alias}`;

/**
 * With no birth to name them (the host started after the node's, or a device's birth was missed),
 * the metrics that name themselves and their datatype (pysparkplug's data does) can still be
 * read; those sent by alias alone cannot, and are refused for `why`.
 */
function selfDescribed(payload: Payload, why: string): HostVerdict {
  const byName = new Map(payload.metrics.filter((m) => m.name && m.datatype).map((m) => [m.name, { name: m.name, datatype: m.datatype }]));
  return values(payload, { byName, byAlias: new Map() }, () => true, why);
}

/**
 * The samples a message's metrics give (those `include` keeps), named through the birth; the
 * rest refused, for `undeclared` when given (and then no rebirth is asked here).
 */
function values(payload: Payload, born: Born, include: (m: Payload_Metric) => boolean = () => true, undeclared?: string): HostVerdict {
  const verdict: HostVerdict = { samples: [], refused: [], status: [] };
  const payloadTs = isFieldSet(payload, PayloadSchema.field.timestamp) ? payload.timestamp : undefined;
  for (const [index, m] of payload.metrics.entries()) {
    if (!include(m)) continue;
    const declared = m.name ? born.byName.get(m.name) : isFieldSet(m, Payload_MetricSchema.field.alias) ? born.byAlias.get(m.alias) : undefined;
    if (!declared) {
      verdict.refused.push({ index, metric: label(m), reason: undeclared ?? (m.name ? 'not declared in the birth' : 'an alias the birth did not give') });
      if (undeclared === undefined) verdict.rebirth ??= `metric ${label(m)} unknown`;
      continue;
    }
    const ts = isFieldSet(m, Payload_MetricSchema.field.timestamp) ? m.timestamp : payloadTs;
    if (ts === undefined || ts > MAX_EXACT) {
      verdict.refused.push({ index, metric: declared.name, reason: ts === undefined ? 'no timestamp, neither its own nor the payload\'s' : `timestamp ${ts} out of range` });
      continue;
    }
    const datatype: DataType = m.datatype || declared.datatype;
    const value = sampleValue(m, datatype);
    if (typeof value === 'object' && value !== null) {
      verdict.refused.push({ index, metric: declared.name, reason: value.refused });
      continue;
    }
    verdict.samples.push({ index, name: declared.name, timestampMs: Number(ts), value, datatype });
  }
  return verdict;
}

/**
 * A metric's value. Signed integers travel as their two's complement in the unsigned fields
 * (the Sparkplug 3.0 specification's payload data types: Int8, Int16 and Int32 in `int_value`,
 * Int64 in `long_value`).
 */
function sampleValue(m: Payload_Metric, datatype: DataType): MetricSample['value'] | { refused: string } {
  if (m.isNull) return null;
  switch (m.value.case) {
    case 'intValue':
      return datatype === DataType.Int8 ? (m.value.value << 24) >> 24 : datatype === DataType.Int16 ? (m.value.value << 16) >> 16 : datatype === DataType.Int32 ? m.value.value | 0 : m.value.value;
    case 'longValue': {
      const v = datatype === DataType.Int64 ? BigInt.asIntN(64, m.value.value) : m.value.value;
      return v <= MAX_EXACT && v >= MIN_EXACT ? Number(v) : { refused: `${v} is beyond a double's exact integers` };
    }
    case 'floatValue':
    case 'doubleValue':
    case 'booleanValue':
    case 'stringValue':
      return m.value.value;
    case undefined:
      return { refused: 'no value, and not marked null' };
    default:
      return { refused: `a ${m.value.case.replace('Value', '')} value, which Meterline does not store` };
  }
}
