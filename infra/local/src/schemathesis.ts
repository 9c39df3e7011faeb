import { join } from 'node:path';
import { StackError } from './errors.ts';
import { ensurePythonVenv, type PythonVenvOptions } from './python-venv.ts';
import { runCommand } from './run-command.ts';
import { VERSIONS } from './versions.ts';

export interface SchemathesisInstallation {
  /** The `schemathesis` command inside its virtual environment. */
  readonly bin: string;
  readonly version: string;
}

const binOf = (venv: string) => join(venv, 'bin', 'schemathesis');

/** Makes sure the pinned schemathesis is installed in its own virtual environment and returns its command. */
export async function ensureSchemathesis(options: PythonVenvOptions = {}): Promise<SchemathesisInstallation> {
  const version = VERSIONS.schemathesis;
  const venv = await ensurePythonVenv(
    {
      name: 'schemathesis',
      version,
      requirements: [`schemathesis==${version}`],
      neededBy: `the API fuzzer (schemathesis ${version})`,
      check: async (dir) => {
        const { stdout } = await runCommand(binOf(dir), ['--version']);
        if (!stdout.includes(version)) throw new StackError('MTL_STACK_INSTALL_FAILED', `${binOf(dir)} --version printed ${JSON.stringify(stdout.trim())}, not ${version}`);
      },
    },
    options,
  );
  return { bin: binOf(venv), version };
}
