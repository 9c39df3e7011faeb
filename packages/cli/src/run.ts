import { runAccount, EXIT_OK, EXIT_USAGE, type CommandIo } from './account-command.ts';

const HELP = `meterline: energy and carbon accounting on files

commands:
  account   run the accounting for a period (see packages/cli/README.md)
`;

/** Dispatches a command line to its command; returns the exit code. */
export async function run(argv: readonly string[], io: CommandIo): Promise<number> {
  const [command, ...rest] = argv;
  if (command === 'account') return runAccount(rest, io);
  if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
    io.stdout(HELP);
    return command === undefined ? EXIT_USAGE : EXIT_OK;
  }
  io.stderr(`meterline: unknown command "${command}"\n${HELP}`);
  return EXIT_USAGE;
}
