import type { Logger } from 'pino';

export interface RunningApp {
  /** Stop taking work, finish or hand back what is in hand, disconnect. */
  close(): Promise<void>;
}

/**
 * Runs an app until SIGTERM or SIGINT, then closes it once. A failure to close, or a
 * second signal, ends the process with a non-zero code.
 */
export function runUntilSignalled(app: RunningApp, log: Logger): void {
  let closing = false;
  const shutdown = (signal: string) => {
    if (closing) {
      log.warn({ signal }, 'second signal while closing: exiting now');
      process.exit(1);
    }
    closing = true;
    log.info({ signal }, 'closing');
    app.close().then(
      () => {
        log.info('closed cleanly');
        process.exit(0);
      },
      (error: unknown) => {
        log.error({ err: error }, 'failed to close cleanly');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}
