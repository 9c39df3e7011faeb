import type { StackPorts } from './stack.ts';

/** Fixed, non-default ports of the dev stack (`stack up`, and infra/compose.yaml on the host side). */
export const DEV_PORTS: StackPorts = Object.freeze({ mqtt: 11883, kafka: 19092, kafkaController: 19093, influxHttp: 18086, influxRpc: 18088 });
