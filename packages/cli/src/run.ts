import { runAccount } from './account-command.ts';
import { EXIT_OK, EXIT_USAGE, type CommandIo } from './command-io.ts';
import { runRegistry, type RegistryDeps } from './registry-command.ts';

const HELP = `meterline: energy and carbon accounting on files, and the registry's upload

commands:
  account   run the accounting for a period (meterline account --help)
  registry  push a registry manifest to the registry topic (meterline registry push --help)
`;

/** Dispatches a command line to its command; returns the exit code. `registry` needs `io.registry`. */
export async function run(argv: readonly string[], io: CommandIo & { registry?: RegistryDeps }): Promise<number> {
  const [command, ...rest] = argv;
  if (command === 'account') return runAccount(rest, io);
  if (command === 'registry' && io.registry) return runRegistry(rest, io, io.registry);
  if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
    io.stdout(HELP);
    return command === undefined ? EXIT_USAGE : EXIT_OK;
  }
  io.stderr(`meterline: unknown command "${command}"\n${HELP}`);
  return EXIT_USAGE;
}
