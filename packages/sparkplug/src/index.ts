export { DataType, PayloadSchema, type Payload_Metric } from './gen/sparkplug_b_pb.ts';
export { SparkplugHost, type HostVerdict } from './host-session.ts';
export { decodePayload, rebirthRequest } from './payload-codec.ts';
export { nodeCommandTopic, parseTopic, type SparkplugTopic } from './topic.ts';
