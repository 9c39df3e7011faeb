export { DynsecDeviceAccounts } from './dynsec-device-accounts.ts';
export type { ProvisionOutcome } from './dynsec-device-accounts.ts';
export type { DynsecDeviceAccountsOptions } from './options.ts';
export { CONTROL_TOPIC, RESPONSE_TOPIC, deviceAcls, deviceRoleName } from './dynsec-protocol.ts';
export type { DynsecAcl } from './dynsec-protocol.ts';
