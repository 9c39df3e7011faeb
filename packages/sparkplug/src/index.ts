export { DataType, PayloadSchema, type Payload_Metric } from './gen/sparkplug_b_pb.ts';
export { SparkplugHost } from './host-session.ts';
export { nodeCommandTopic, parseTopic, type SparkplugTopic } from './topic.ts';
