import { errorCatalogue } from '@meterline/errors';

/** Closed list of the codes a DeviceAccounts implementation fails with. */
export const BROKER_ACCOUNTS_ERRORS = errorCatalogue('@meterline/broker-accounts', {
  MTL_BROKER_DEVICE_ID_INVALID: { meaning: 'The device id cannot be an MQTT username and one topic level (see IdPattern)', retryable: false },
  MTL_BROKER_DEVICE_EXISTS: { meaning: 'create(): the broker already has an account of that name (a device\'s, or a service\'s)', retryable: false },
  MTL_BROKER_DEVICE_UNKNOWN: { meaning: 'rotate() or revoke(): the broker has no device account of that name', retryable: false },
  MTL_BROKER_UNAVAILABLE: { meaning: 'The broker cannot be reached, or the connection ended before it answered (the change may or may not have been made)', retryable: true },
  MTL_BROKER_TIMEOUT: { meaning: 'The broker did not answer in time (the change may or may not have been made)', retryable: true },
  MTL_BROKER_NOT_AUTHORIZED: { meaning: 'The broker refused the admin account, or it may not use the control topic', retryable: false },
  MTL_BROKER_COMMAND_FAILED: { meaning: 'The broker refused a command for a reason not listed above; the message quotes it', retryable: false },
  MTL_BROKER_CONFIG_INVALID: { meaning: "The adapter's options are not valid", retryable: false },
});

export type BrokerAccountsErrorCode = (typeof BROKER_ACCOUNTS_ERRORS.codes)[number];

export class BrokerAccountsError extends Error {
  override readonly name = 'BrokerAccountsError';
  readonly code: BrokerAccountsErrorCode;
  /**
   * True when trying again later may help. After a retryable failure of create() the account
   * may exist already: a retry then fails with MTL_BROKER_DEVICE_EXISTS, and rotate() issues a
   * password the caller can hand out (the first one was never seen).
   */
  readonly canRetry: boolean;

  constructor(code: BrokerAccountsErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.canRetry = BROKER_ACCOUNTS_ERRORS.canRetry(code);
  }
}

export function isBrokerAccountsError(error: unknown, code?: BrokerAccountsErrorCode): error is BrokerAccountsError {
  return error instanceof BrokerAccountsError && (code === undefined || error.code === code);
}
