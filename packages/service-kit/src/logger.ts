import { pino, type DestinationStream, type Logger } from 'pino';

export type { Logger };

/** Where secrets may sit in a log line: by name anywhere near the top, and in HTTP request headers. */
const REDACTED_PATHS = [
  'password',
  '*.password',
  'token',
  '*.token',
  'secret',
  '*.secret',
  'authorization',
  '*.authorization',
  'headers.authorization',
  '*.headers.authorization',
  'req.headers.authorization',
];

/** Structured JSON log on stdout (or `destination`); secrets are redacted wherever they appear by name. */
export function createLogger(service: string, level = 'info', destination?: DestinationStream): Logger {
  const options = { name: service, level, redact: { paths: REDACTED_PATHS, censor: '[redacted]' } };
  return destination ? pino(options, destination) : pino(options);
}
