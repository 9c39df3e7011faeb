export * from './types.ts';
export { MqttSharedSource } from './mqtt-shared-source.ts';
