import { errorCatalogue } from '@meterline/errors';

/** Closed list of the edge agent's error codes (docs/errors.md is generated from it). */
export const EDGE_ERRORS = errorCatalogue('@meterline/edge', {
  MTL_EDGE_CONFIG_INVALID: { meaning: "The edge agent's config file (or its secrets from the environment) is not valid: every bad field is named, and the agent does not start", retryable: false, exitCode: 2 },
  MTL_EDGE_METER_UNREACHABLE: { meaning: 'A meter (or its serial-to-Ethernet gateway) did not accept a TCP connection or did not answer in time; the poll is counted as failed and tried again at the next interval', retryable: true },
  MTL_EDGE_METER_REFUSED: { meaning: 'A meter answered a poll with an error (a Modbus exception, a DL/T 645 abnormal reply) or with a reply that does not fit the request', retryable: false },
  MTL_EDGE_QUEUE_FAILED: { meaning: 'The local queue (SQLite) could not be opened, written or read: readings polled meanwhile are not kept', retryable: false },
});

type EdgeErrorCode = (typeof EDGE_ERRORS.codes)[number];

export class EdgeError extends Error {
  override readonly name = 'EdgeError';
  readonly canRetry: boolean;

  constructor(
    readonly code: EdgeErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.canRetry = EDGE_ERRORS.canRetry(code);
  }
}
