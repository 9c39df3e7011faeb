export { DynsecDeviceAccounts } from './dynsec-device-accounts.ts';
export type { ProvisionOutcome } from './dynsec-device-accounts.ts';
export { CONTROL_TOPIC, RESPONSE_TOPIC } from './dynsec-protocol.ts';
