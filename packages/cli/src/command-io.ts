import type { InputError } from './readings-file.ts';

/** What a command needs from the outside world; main.ts passes the real ones, tests their own. */
export interface CommandIo {
  readFile(path: string): Promise<string>;
  stdout(text: string): void;
  stderr(text: string): void;
}

// Exit codes of every command, from sysexits.h so scripts can tell a typo from an outage.
export const EXIT_OK = 0;
/** EX_USAGE: bad arguments, an unknown enterprise or period. */
export const EXIT_USAGE = 64;
/** EX_DATAERR: a manifest or readings file is invalid. */
export const EXIT_INPUT = 65;
/** EX_NOINPUT: a file cannot be read. */
export const EXIT_NO_INPUT = 66;
/** EX_UNAVAILABLE: the registry topic cannot be reached. */
export const EXIT_UNAVAILABLE = 69;

/** `file:line:column: field: message`, the parts that are known. */
export function formatInputError(e: InputError): string {
  const where = [e.file, e.line, e.column].filter((x) => x !== undefined).join(':');
  return `${where}: ${e.field ? `${e.field}: ` : ''}${e.message}`;
}
