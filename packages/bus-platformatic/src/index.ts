export { PlatformaticKafkaBus } from './platformatic-kafka-bus.ts';
