import { errorCatalogue } from '@meterline/errors';
import type { InputError } from './input-error.ts';

/** What a command needs from the outside world; main.ts passes the real ones, tests their own. */
export interface CommandIo {
  readFile(path: string): Promise<string>;
  stdout(text: string): void;
  stderr(text: string): void;
}

/** How every command can end badly, with its exit code from sysexits.h so scripts can tell a typo from an outage. */
export const CLI_ERRORS = errorCatalogue('@meterline/cli', {
  MTL_CLI_USAGE: { meaning: 'Bad arguments, or an enterprise or period the manifest does not have (EX_USAGE)', retryable: false, exitCode: 64 },
  MTL_CLI_INPUT_INVALID: { meaning: 'The manifest or the readings file is not valid; each fault is printed as file:line:column: field: message (EX_DATAERR)', retryable: false, exitCode: 65 },
  MTL_CLI_INPUT_UNREADABLE: { meaning: 'A file named on the command line cannot be read (EX_NOINPUT)', retryable: false, exitCode: 66 },
  MTL_CLI_REGISTRY_UNAVAILABLE: { meaning: 'The registry topic cannot be reached (EX_UNAVAILABLE)', retryable: true, exitCode: 69 },
  MTL_CLI_API_UNAVAILABLE: { meaning: 'The API cannot be reached, is rate-limiting or failed (EX_UNAVAILABLE)', retryable: true, exitCode: 69 },
  MTL_CLI_API_REFUSED: { meaning: 'The API refused the manual entry; its problem (code, each field) is printed (EX_DATAERR)', retryable: false, exitCode: 65 },
  MTL_CLI_API_NO_PERMISSION: { meaning: 'No API key in MTL_API_KEY, or the API does not know it or does not let it do this (EX_NOPERM)', retryable: false, exitCode: 77 },
});

const exitCodeOf = (code: (typeof CLI_ERRORS.codes)[number]): number => CLI_ERRORS.entries[code].exitCode;

export const EXIT_OK = 0;
export const EXIT_USAGE = exitCodeOf('MTL_CLI_USAGE');
export const EXIT_INPUT = exitCodeOf('MTL_CLI_INPUT_INVALID');
export const EXIT_NO_INPUT = exitCodeOf('MTL_CLI_INPUT_UNREADABLE');
export const EXIT_UNAVAILABLE = exitCodeOf('MTL_CLI_REGISTRY_UNAVAILABLE');
export const EXIT_NO_PERMISSION = exitCodeOf('MTL_CLI_API_NO_PERMISSION');

/** `file:line:column: field: message`, the parts that are known. */
export function formatInputError(e: InputError): string {
  const where = [e.file, e.line, e.column].filter((x) => x !== undefined).join(':');
  return `${where}: ${e.field ? `${e.field}: ` : ''}${e.message}`;
}
