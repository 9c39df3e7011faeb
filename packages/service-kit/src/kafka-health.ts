/**
 * How long a service may go without an answer from Kafka before its health says so: a consumer
 * hears from the cluster at least every heartbeat (3 s), a producer's request is answered in
 * milliseconds. The client libraries retry in the background for tens of seconds and say nothing
 * meanwhile, so health reads the silence itself.
 */
const KAFKA_SILENCE_LIMIT_MS = 10_000;

/**
 * A health check of a consumer's link to Kafka from when the cluster last answered it: 'ok', or
 * what is wrong, in words an operator reads at /health.
 */
export function kafkaConsumerCheck(lastHeardAt: number | undefined, now: number, limitMs = KAFKA_SILENCE_LIMIT_MS): string {
  if (lastHeardAt === undefined) return 'not yet answered by Kafka (joining the group)';
  const silentMs = now - lastHeardAt;
  return silentMs <= limitMs ? 'ok' : `nothing heard from Kafka for ${Math.round(silentMs / 1000)} s`;
}

/**
 * A health check of a producer's link to Kafka from how long its oldest send has waited for an
 * acknowledgement (undefined: none waiting): 'ok', or what is wrong.
 */
export function kafkaProducerCheck(waitingSince: number | undefined, now: number, limitMs = KAFKA_SILENCE_LIMIT_MS): string {
  if (waitingSince === undefined) return 'ok';
  const waitedMs = now - waitingSince;
  return waitedMs <= limitMs ? 'ok' : `a send unacknowledged by Kafka for ${Math.round(waitedMs / 1000)} s`;
}
