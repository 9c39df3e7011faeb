/**
 * Sparkplug B 3.0 topic namespace (specification, chapter 4):
 * `spBv1.0/<group_id>/<message_type>/<edge_node_id>[/<device_id>]`. Each id is a non-empty
 * UTF-8 string without `/`, `+` or `#`.
 */
const NAMESPACE = 'spBv1.0';

const NODE_MESSAGES = ['NBIRTH', 'NDEATH', 'NDATA', 'NCMD'] as const;
const DEVICE_MESSAGES = ['DBIRTH', 'DDEATH', 'DDATA', 'DCMD'] as const;
type NodeMessageType = (typeof NODE_MESSAGES)[number];
type DeviceMessageType = (typeof DEVICE_MESSAGES)[number];

export type SparkplugTopic =
  | { group: string; type: NodeMessageType; node: string; device?: undefined }
  | { group: string; type: DeviceMessageType; node: string; device: string };

const ID = /^[^/+#]+$/;

/** The parts of a Sparkplug B topic, or undefined for any other topic (STATE included). */
export function parseTopic(topic: string): SparkplugTopic | undefined {
  const parts = topic.split('/');
  if (parts[0] !== NAMESPACE || parts.length < 4 || parts.length > 5) return undefined;
  const [, group, type, node, device] = parts as [string, string, string, string, string | undefined];
  if (![group, node, ...(device === undefined ? [] : [device])].every((id) => ID.test(id))) return undefined;
  if (device === undefined) return (NODE_MESSAGES as readonly string[]).includes(type) ? { group, type: type as NodeMessageType, node } : undefined;
  return (DEVICE_MESSAGES as readonly string[]).includes(type) ? { group, type: type as DeviceMessageType, node, device } : undefined;
}

/** The topic a host sends an edge node's commands (a rebirth request) to. */
export const nodeCommandTopic = (group: string, node: string) => `${NAMESPACE}/${group}/NCMD/${node}`;
