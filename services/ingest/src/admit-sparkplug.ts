import { boundedDetail, type DeadLetterReason, type DeadLetterV2, type DeviceStatusV1, type ReadingMessageV1, type ReadingRefusal } from '@meterline/contracts';
import type { RegistryIndex } from '@meterline/domain';
import { decodePayload, nodeCommandTopic, parseTopic, type HostVerdict, type SparkplugHost, type SparkplugTopic } from '@meterline/sparkplug';
import type { AdmissionRules } from './admit-payload.ts';
import { admitReading, isReadingFault } from './admit-reading.ts';
import { ingestDeadLetter } from './dead-letter.ts';

/** Sparkplug B 3.0 edge nodes' messages (namespace `spBv1.0`, chapter 4 of the specification). */
export const SPARKPLUG_TOPIC_FILTERS = ['spBv1.0/+/+/+', 'spBv1.0/+/+/+/+'] as const;

export interface SparkplugAdmission {
  readings: ReadingMessageV1[];
  /** One per message at most: the message's own fault, or every refused metric of it. */
  deadLetter: DeadLetterV2 | undefined;
  /** The node's own births and deaths, as its device's status. */
  statuses: DeviceStatusV1[];
  /** Births and deaths of the Sparkplug devices under the node (counted, not a Meterline device's status). */
  deviceEvents: { device: string; online: boolean }[];
  /** Where to ask for a rebirth, and why, when the node's session cannot be trusted. */
  rebirth?: { topic: string; reason: string };
  /** Why the message changed nothing, when it did not (a stale death, a command). */
  ignored?: string;
}

/**
 * Decides what becomes of one Sparkplug B message. The edge node is the Meterline device of the
 * same id (the broker lets only that account publish under it), in the group the registry gives it;
 * its metrics become readings of the points the registry maps them to, under the same rules as a
 * payload v1's readings. Feeds `host` the message (the births and seq of each node), so messages
 * must come here in the order the broker delivered them. Never throws.
 */
export function admitSparkplug(
  mqttTopic: string,
  payload: Buffer,
  retained: boolean,
  receivedAt: Date,
  registry: RegistryIndex,
  host: SparkplugHost,
  rules: AdmissionRules,
): SparkplugAdmission {
  const topic = parseTopic(mqttTopic);
  const origin = { mqttTopic, topicDeviceId: topic?.node, receivedAt, payload };
  const refuse = (reason: DeadLetterReason, detail: string): SparkplugAdmission => ({
    ...nothing(),
    deadLetter: ingestDeadLetter(origin, reason, detail),
  });
  if (!topic) return refuse('SPARKPLUG_UNREADABLE', 'not a Sparkplug B 3.0 topic: spBv1.0/<group>/<NBIRTH|NDEATH|NDATA|NCMD>/<node> or spBv1.0/<group>/<DBIRTH|DDEATH|DDATA|DCMD>/<node>/<device>');
  if (topic.type === 'NCMD' || topic.type === 'DCMD') return { ...nothing(), ignored: 'a command to a node, not a report from one' };
  if (payload.length > rules.maxPayloadBytes) return refuse('PAYLOAD_TOO_LARGE', `payload of ${payload.length} bytes exceeds the limit of ${rules.maxPayloadBytes}`);
  // The specification forbids retain on these messages: one the broker kept is stale.
  if (retained) return refuse('SPARKPLUG_UNREADABLE', `a retained ${topic.type}: Sparkplug B messages are never retained, so this one is stale`);
  const location = registry.device(topic.node);
  if (!location) return refuse('UNKNOWN_DEVICE', `edge node "${topic.node}" is not a device in the registry`);
  const { device } = location;
  if (device.sparkplug?.group !== topic.group) {
    return refuse(
      'DEVICE_MISMATCH',
      device.sparkplug ? `edge node "${topic.node}" belongs to Sparkplug group "${device.sparkplug.group}", not "${topic.group}"` : `device "${topic.node}" is not registered as a Sparkplug edge node`,
    );
  }
  // A signed device's readings must carry its signature, and Sparkplug has no place for one.
  if (device.publicKey) return refuse('SIGNATURE_MISSING', `device "${topic.node}" is registered with a public key: its readings must be signed payloads v1, which Sparkplug B cannot carry`);
  const decoded = decodePayload(payload);
  if (!decoded.ok) return refuse('SPARKPLUG_UNREADABLE', `not a Sparkplug B payload: ${decoded.error}`);

  const verdict = host.handle(topic, decoded.payload);
  const seq = Number(decoded.payload.seq);
  const readings: ReadingMessageV1[] = [];
  const refusals: ReadingRefusal[] = [];
  const refuseMetric = (index: number, reason: DeadLetterReason, detail: string) => refusals.push({ index, reason, detail: boundedDetail(detail), path: `/metrics/${index}` });
  for (const r of verdict.refused) refuseMetric(r.index, 'METRIC_UNREADABLE', `metric "${r.metric}": ${r.reason}`);
  for (const sample of verdict.samples) {
    const mapping = registry.sparkplugMetric(topic.node, topic.device, sample.name);
    const named = `metric "${sample.name}"${topic.device === undefined ? '' : ` of device "${topic.device}"`}`;
    if (!mapping) {
      refuseMetric(sample.index, 'METRIC_NOT_MAPPED', `${named} of edge node "${topic.node}" is mapped to no metering point in the registry`);
      continue;
    }
    if (typeof sample.value !== 'number') {
      refuseMetric(sample.index, 'VALUE_NOT_NUMERIC', `${named} is ${sample.value === null ? 'null' : `a ${typeof sample.value}`}; metering point "${mapping.pointId}" takes numbers`);
      continue;
    }
    const ts = new Date(sample.timestampMs);
    if (Number.isNaN(ts.getTime())) {
      refuseMetric(sample.index, 'TIMESTAMP_INVALID', `${named} has timestamp ${sample.timestampMs} ms, not a date`);
      continue;
    }
    const claimed = { point: mapping.pointId, value: sample.value, unit: mapping.unit, ts: ts.toISOString() };
    const result = admitReading(claimed, { deviceId: topic.node, seq, index: sample.index, receivedAt, verified: false }, registry, rules);
    if (isReadingFault(result)) refuseMetric(sample.index, result.reason, result.detail);
    else readings.push(result);
  }
  refusals.sort((a, b) => a.index - b.index);
  return {
    readings,
    deadLetter: deadLetterOf(origin, refusals, readings.length, decoded.payload.metrics.length),
    statuses: nodeStatuses(topic, verdict, location.enterpriseId, receivedAt),
    deviceEvents: verdict.status.flatMap((s) => (s.device === undefined ? [] : [{ device: s.device, online: s.online }])),
    ...(verdict.rebirth === undefined ? {} : { rebirth: { topic: nodeCommandTopic(topic.group, topic.node), reason: verdict.rebirth } }),
    ...(verdict.ignored === undefined ? {} : { ignored: verdict.ignored }),
  };
}

const nothing = (): SparkplugAdmission => ({ readings: [], deadLetter: undefined, statuses: [], deviceEvents: [] });

function deadLetterOf(origin: Parameters<typeof ingestDeadLetter>[0], refusals: ReadingRefusal[], admitted: number, metrics: number): DeadLetterV2 | undefined {
  const [first] = refusals;
  if (!first) return undefined;
  const summary = refusals.length === 1 ? first.detail : `${refusals.length} of ${metrics} metrics refused; the first: ${first.detail}`;
  return ingestDeadLetter(origin, first.reason, summary, { path: first.path, refusals, admittedReadings: admitted });
}

/** The node's own online and offline changes, as the status of its Meterline device. */
function nodeStatuses(topic: SparkplugTopic, verdict: HostVerdict, enterpriseId: string, receivedAt: Date): DeviceStatusV1[] {
  return verdict.status
    .filter((s) => s.device === undefined)
    .map((s) => ({
      v: 1,
      deviceId: topic.node,
      enterpriseId,
      state: s.online ? 'online' : 'offline',
      // What ended or began the session: an NBIRTH, the NDEATH (the broker's Will), or a birth that could not be used.
      text: `Sparkplug ${topic.type}${s.online ? '' : topic.type === 'NDEATH' ? '' : ' (session ended)'}`,
      retained: false,
      receivedAt: receivedAt.toISOString(),
      receivedMs: receivedAt.getTime(),
    }));
}
