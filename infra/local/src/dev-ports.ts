import type { StackPorts } from './stack.ts';

/** The dev stack's ports: the stack's, and its Prometheus (compose publishes its own on the same host port). */
export interface DevPorts extends StackPorts {
  readonly prometheus: number;
}

/** Fixed, non-default ports of the dev stack (`stack up`, and infra/compose.yaml on the host side). */
export const DEV_PORTS: DevPorts = Object.freeze({ mqtt: 11883, kafka: 19092, kafkaController: 19093, influxHttp: 18086, influxRpc: 18088, prometheus: 19090 });

/** The dev stack's Prometheus scrapes every few seconds, so a rate shows minutes after `up`, not a quarter-hour. */
export const DEV_SCRAPE_INTERVAL_SECONDS = 5;
