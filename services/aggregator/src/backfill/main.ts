import { runBackfill } from './backfill-command.ts';

// Thin entry point for `meterline aggregate`: the real environment, streams and signals.
process.exitCode = await runBackfill(process.argv.slice(2), {
  env: process.env,
  stdout: (text) => void process.stdout.write(text),
  stderr: (text) => void process.stderr.write(text),
  interactive: process.stderr.isTTY === true,
  onInterrupt: (handler) => {
    process.once('SIGINT', handler);
    process.once('SIGTERM', handler);
  },
});
