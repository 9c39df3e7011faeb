export type { DeviceAccounts, DeviceCredentials } from './types.ts';
export { BROKER_ACCOUNTS_ERRORS, BrokerAccountsError, isBrokerAccountsError } from './errors.ts';
export type { BrokerAccountsErrorCode } from './errors.ts';
export {
  DEVICE_PASSWORD_BYTES,
  assertDeviceId,
  deviceMayPublish,
  devicePublishTopics,
  deviceSparkplugCommandFilters,
  deviceSparkplugPublishFilters,
  generateDevicePassword,
} from './device-account.ts';
export type { BrokerProbe, DeliveredMessage, ProbeConnectOutcome, ProbeConnection } from './broker-probe.ts';
export { InMemoryDeviceAccounts } from './in-memory-device-accounts.ts';
