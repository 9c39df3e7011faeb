export { DataType, PayloadSchema, type Payload_Metric } from './gen/sparkplug_b_pb.ts';
