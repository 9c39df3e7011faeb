import { pino, type Logger } from 'pino';

export type { Logger };

/** Structured JSON log on stdout; secrets are redacted wherever they appear by name. */
export function createLogger(service: string, level = 'info'): Logger {
  return pino({
    name: service,
    level,
    redact: { paths: ['password', '*.password', 'token', '*.token', 'secret', '*.secret'], censor: '[redacted]' },
  });
}
