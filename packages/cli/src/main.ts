import { readFile } from 'node:fs/promises';
import { run } from './run.ts';

// Thin entry point: real file reads and streams, then the exit code.
process.exitCode = await run(process.argv.slice(2), {
  readFile: (path) => readFile(path, 'utf8'),
  stdout: (text) => void process.stdout.write(text),
  stderr: (text) => void process.stderr.write(text),
});
