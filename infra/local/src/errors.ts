import { errorCatalogue } from '@meterline/errors';

/** Closed list of error codes raised by the local stack. */
export const STACK_ERRORS = errorCatalogue('@meterline/local-stack', {
  MTL_STACK_NOT_ROOT: { meaning: 'Installing system packages needs root, or the tools already on PATH (the message names them)', retryable: false },
  MTL_STACK_TOOL_MISSING: { meaning: 'A tool the stack needs is not on PATH and cannot be installed here (the message names it)', retryable: false },
  MTL_STACK_INSTALL_FAILED: { meaning: 'Downloading, building or installing a component failed (the message has its output)', retryable: false },
  MTL_STACK_LOCK_TIMEOUT: { meaning: 'Another process held the install or start lock for too long', retryable: true },
  MTL_STACK_START_FAILED: { meaning: 'A service exited while starting (the message has the end of its log)', retryable: false },
  MTL_STACK_START_TIMEOUT: { meaning: 'A service did not become ready in time', retryable: true },
  MTL_STACK_STOP_FAILED: { meaning: 'A service did not stop', retryable: false },
  MTL_STACK_NOT_RUNNING: { meaning: 'The command needs the stack, and it is not running (`./meterline up` starts it)', retryable: false },
  MTL_STACK_CONFIG_INVALID: { meaning: 'A launcher setting (a port, a path, an environment variable) is not valid', retryable: false },
  MTL_STACK_REQUEST_FAILED: { meaning: 'A request to a running service of the stack failed', retryable: true },
  MTL_STACK_DOCKER_UNAVAILABLE: { meaning: 'The Docker engine the containers option needs cannot be reached', retryable: false },
});

export type StackErrorCode = (typeof STACK_ERRORS.codes)[number];

export class StackError extends Error {
  override readonly name = 'StackError';
  readonly code: StackErrorCode;
  readonly canRetry: boolean;

  constructor(code: StackErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.canRetry = STACK_ERRORS.canRetry(code);
  }
}

export function isStackError(error: unknown, code?: StackErrorCode): error is StackError {
  return error instanceof StackError && (code === undefined || error.code === code);
}
