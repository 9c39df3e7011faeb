export { KafkaBus } from './kafka-bus.ts';
