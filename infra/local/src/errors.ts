/** Closed list of error codes raised by the local stack. */
export const STACK_ERROR_CODES = [
  'MTL_STACK_NOT_ROOT',
  'MTL_STACK_TOOL_MISSING',
  'MTL_STACK_INSTALL_FAILED',
  'MTL_STACK_LOCK_TIMEOUT',
  'MTL_STACK_START_FAILED',
  'MTL_STACK_START_TIMEOUT',
  'MTL_STACK_STOP_FAILED',
  'MTL_STACK_NOT_RUNNING',
  'MTL_STACK_CONFIG_INVALID',
  'MTL_STACK_REQUEST_FAILED',
  'MTL_STACK_DOCKER_UNAVAILABLE',
] as const;

export type StackErrorCode = (typeof STACK_ERROR_CODES)[number];

/** Codes for which trying again later (e.g. after the service finished starting) can help. */
const RETRYABLE: ReadonlySet<StackErrorCode> = new Set(['MTL_STACK_LOCK_TIMEOUT', 'MTL_STACK_START_TIMEOUT', 'MTL_STACK_REQUEST_FAILED']);

export class StackError extends Error {
  override readonly name = 'StackError';
  readonly code: StackErrorCode;
  readonly canRetry: boolean;

  constructor(code: StackErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.canRetry = RETRYABLE.has(code);
  }
}

export function isStackError(error: unknown, code?: StackErrorCode): error is StackError {
  return error instanceof StackError && (code === undefined || error.code === code);
}
