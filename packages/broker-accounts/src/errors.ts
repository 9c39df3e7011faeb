/** Closed list of the codes a DeviceAccounts implementation fails with. */
export const BROKER_ACCOUNTS_ERROR_CODES = [
  /** The device id cannot be an MQTT username and one topic level (see IdPattern). */
  'MTL_BROKER_DEVICE_ID_INVALID',
  /** create(): the broker already has an account of that name (a device's, or a service's). */
  'MTL_BROKER_DEVICE_EXISTS',
  /** rotate()/revoke(): the broker has no device account of that name. */
  'MTL_BROKER_DEVICE_UNKNOWN',
  /** The broker cannot be reached, or the connection ended before it answered (the change may or may not have been made). */
  'MTL_BROKER_UNAVAILABLE',
  /** The broker did not answer in time (the change may or may not have been made). */
  'MTL_BROKER_TIMEOUT',
  /** The broker refused the admin account, or it may not use the control topic. */
  'MTL_BROKER_NOT_AUTHORIZED',
  /** The broker refused a command for a reason not listed above; the message quotes it. */
  'MTL_BROKER_COMMAND_FAILED',
  /** The adapter's options are not valid. */
  'MTL_BROKER_CONFIG_INVALID',
] as const;

export type BrokerAccountsErrorCode = (typeof BROKER_ACCOUNTS_ERROR_CODES)[number];

/** An outage, not a refusal: the same call may succeed later. */
const RETRYABLE: ReadonlySet<BrokerAccountsErrorCode> = new Set(['MTL_BROKER_UNAVAILABLE', 'MTL_BROKER_TIMEOUT']);

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
    this.canRetry = RETRYABLE.has(code);
  }
}

export function isBrokerAccountsError(error: unknown, code?: BrokerAccountsErrorCode): error is BrokerAccountsError {
  return error instanceof BrokerAccountsError && (code === undefined || error.code === code);
}
