export * from './types.ts';
export { MqttSharedSource, type MqttSharedSourceOptions } from './mqtt-shared-source.ts';
