import { Type } from '@sinclair/typebox';

/**
 * MTL_KAFKA_PRODUCER_CLIENT, to spread into the config schema of a service that produces much:
 * the Kafka client its producer uses, @platformatic/kafka (bench:bus: twice kafkajs's produce
 * rate at under half its CPU) or kafkajs. Consumers stay on kafkajs (consuming through
 * @platformatic/kafka cost 1.8 times kafkajs's CPU).
 */
export const KafkaProducerClientProperty = {
  kafkaProducerClient: Type.Union([Type.Literal('kafkajs'), Type.Literal('platformatic')], { default: 'platformatic' }),
};
