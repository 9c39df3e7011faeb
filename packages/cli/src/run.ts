import { runAccount } from './account-command.ts';
import { runBaseline } from './baseline-command.ts';
import { EXIT_OK, EXIT_USAGE, type CommandIo } from './command-io.ts';
import { runManual, type ManualDeps } from './manual-command.ts';
import { runRegistry, type RegistryDeps } from './registry-command.ts';

const HELP = `meterline: energy and carbon accounting on files, and the registry's upload

commands:
  account   run the accounting for a period (meterline account --help)
  baseline  fit a daily energy baseline and measure savings against it (meterline baseline --help)
  registry  push a registry manifest to the registry topic (meterline registry push --help)
  manual    record a quantity not metered online through the API (meterline manual add --help)
`;

/** Dispatches a command line to its command; returns the exit code. `registry` needs `io.registry`, `manual` `io.manual`. */
export async function run(argv: readonly string[], io: CommandIo & { registry?: RegistryDeps; manual?: ManualDeps }): Promise<number> {
  const [command, ...rest] = argv;
  if (command === 'account') return runAccount(rest, io);
  if (command === 'baseline') return runBaseline(rest, io);
  if (command === 'registry' && io.registry) return runRegistry(rest, io, io.registry);
  if (command === 'manual' && io.manual) return runManual(rest, io, io.manual);
  if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
    io.stdout(HELP);
    return command === undefined ? EXIT_USAGE : EXIT_OK;
  }
  io.stderr(`meterline: unknown command "${command}"\n${HELP}`);
  return EXIT_USAGE;
}
