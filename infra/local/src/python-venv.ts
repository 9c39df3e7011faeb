import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { defaultCacheDir } from './cache-dir.ts';
import { StackError } from './errors.ts';
import { withFileLock } from './file-lock.ts';
import { aptInstall } from './debian-packages.ts';
import { exists, step } from './install.ts';
import { runCommand, which } from './run-command.ts';
import { VERSIONS } from './versions.ts';

export interface PythonVenvOptions {
  readonly cacheDir?: string;
  /** The interpreter the virtual environment is made from; `python3` on PATH by default. */
  readonly python?: string;
  readonly log?: (line: string) => void;
  readonly lockTimeoutMs?: number;
}

/** A tool from PyPI: what it is called, its pinned requirements and what it is for (for errors). */
export interface PythonTool {
  /** Names the environment's directory (with the tool's version) and its lock. */
  readonly name: string;
  readonly version: string;
  /** `pip install` arguments, each pinned. */
  readonly requirements: readonly string[];
  /** Who needs it, for the error when Python is missing: "the API fuzzer (schemathesis 4.32.5)". */
  readonly neededBy: string;
  /** Run inside the new environment's directory to check it (throws when the install is not what was asked for). */
  readonly check: (venv: string) => Promise<void>;
}

const APT_HINT = '`apt-get install -y python3 python3-venv`';

const mayApt = async (): Promise<boolean> => process.getuid?.() === 0 && (await which('apt-get')) !== undefined;

async function findPython(tool: PythonTool, explicit: string | undefined, log: (line: string) => void): Promise<string> {
  const needs = `${tool.neededBy} needs Python ${VERSIONS.pythonMin.join('.')}+ as python3, with its venv module`;
  let python = explicit ?? (await which('python3'));
  if (python === undefined && (await mayApt())) {
    await aptInstall(['python3', 'python3-venv'], log);
    python = await which('python3');
  }
  if (python === undefined) throw new StackError('MTL_STACK_TOOL_MISSING', `${needs}; no python3 on PATH: run ${APT_HINT} as root once, then retry`);
  const [major, minor] = VERSIONS.pythonMin;
  const { code, stdout } = await runCommand(python, ['-c', 'import sys; print("%d.%d" % sys.version_info[:2])'], { allowFailure: true }).catch(() => ({ code: -1, stdout: '' }));
  if (code !== 0) throw new StackError('MTL_STACK_TOOL_MISSING', `${needs}; ${python} does not run: run ${APT_HINT} as root once, then retry`);
  const found = stdout.trim();
  const [foundMajor = 0, foundMinor = 0] = found.split('.').map(Number);
  if (foundMajor < major || (foundMajor === major && foundMinor < minor)) {
    throw new StackError('MTL_STACK_TOOL_MISSING', `${tool.neededBy} needs Python ${major}.${minor}+; ${python} is ${found}`);
  }
  return python;
}

/**
 * `python3 -m venv` needs ensurepip, which Debian ships apart from Python, in python3-venv.
 * Installed with apt when running as root (as Mosquitto is), else named in the error.
 */
async function ensureVenvModule(tool: PythonTool, python: string, log: (line: string) => void): Promise<void> {
  const hasVenv = async () => (await runCommand(python, ['-c', 'import venv, ensurepip'], { allowFailure: true })).code === 0;
  if (await hasVenv()) return;
  if (!(await mayApt())) {
    throw new StackError('MTL_STACK_TOOL_MISSING', `${tool.neededBy} needs python3's venv module; ${python} has no venv/ensurepip module: run \`sudo apt-get install -y python3-venv\` once, then retry`);
  }
  await aptInstall(['python3-venv'], log);
  if (!(await hasVenv())) throw new StackError('MTL_STACK_INSTALL_FAILED', `apt-get installed python3-venv but ${python} still has no venv/ensurepip module`);
}

/**
 * Makes sure the tool's pinned requirements are installed in a virtual environment of their own
 * under the cache directory (outside the repository, like the stack's builds) and returns the
 * environment's directory. Idempotent: a complete environment is reused without running Python.
 * The environment is made in its final place (a venv's scripts name their interpreter by absolute
 * path, so it cannot be renamed) and marked complete last, so an interrupted install is redone.
 */
export async function ensurePythonVenv(tool: PythonTool, options: PythonVenvOptions = {}): Promise<string> {
  const cacheDir = options.cacheDir ?? defaultCacheDir();
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const home = join(cacheDir, `${tool.name}-${tool.version}`);
  const venv = join(home, 'venv');
  const complete = join(home, '.complete');
  const isComplete = async () => (await exists(complete)) && (await exists(join(venv, 'bin')));
  if (await isComplete()) return venv;
  await mkdir(cacheDir, { recursive: true });
  return withFileLock(
    join(cacheDir, `${tool.name}.lock`),
    {
      timeoutMs: options.lockTimeoutMs ?? 10 * 60_000,
      onWait: (pid) => log(`[local-stack] waiting for another ${tool.name} install (pid ${pid ?? '?'}) to finish`),
    },
    async () => {
      if (await isComplete()) return venv;
      const python = await findPython(tool, options.python, log);
      await ensureVenvModule(tool, python, log);
      await rm(home, { recursive: true, force: true });
      await mkdir(home, { recursive: true });
      await step(log, `python3 -m venv ${venv}`, () => runCommand(python, ['-m', 'venv', venv]));
      const pipEnv = { ...process.env, PIP_DISABLE_PIP_VERSION_CHECK: '1', PIP_NO_INPUT: '1' };
      await step(log, `pip install ${tool.requirements.join(' ')}`, () =>
        runCommand(join(venv, 'bin', 'python'), ['-m', 'pip', 'install', '--quiet', ...tool.requirements], { env: pipEnv }),
      );
      await tool.check(venv);
      await writeFile(complete, `${new Date().toISOString()}\n`);
      return venv;
    },
  );
}

/** Packages from PyPI pinned in an environment of their own. */
export interface PinnedPackages {
  /** Names the environment's directory (with the pins joined) and its lock. */
  readonly name: string;
  /** PyPI distribution name → version. */
  readonly pins: Readonly<Record<string, string>>;
  /** Who needs them, for errors: "the edge tests' peers" (the pins are added). */
  readonly neededBy: string;
  /** Python statements the check runs first: an import that must work, not only install. */
  readonly imports?: string;
}

/**
 * Makes sure the pinned packages are installed (ensurePythonVenv) and returns the environment's
 * interpreter. One directory per combination of the pins, so bumping any one installs afresh;
 * the check imports what `imports` names and reads every pin's version back.
 */
export async function ensurePinnedPackages(spec: PinnedPackages, options: PythonVenvOptions = {}): Promise<string> {
  const pinned = Object.entries(spec.pins).map(([name, version]) => `${name}==${version}`);
  const neededBy = `${spec.neededBy} (${pinned.join(', ')})`;
  const venv = await ensurePythonVenv(
    {
      name: spec.name,
      version: Object.values(spec.pins).join('-'),
      requirements: pinned,
      neededBy,
      check: async (dir) => {
        const names = JSON.stringify(Object.keys(spec.pins));
        const script = `${spec.imports ?? ''}\nfrom importlib.metadata import version as v\nprint(" ".join(f"{n}=={v(n)}" for n in ${names}))`;
        const { stdout } = await runCommand(join(dir, 'bin', 'python'), ['-c', script]);
        if (stdout.trim() !== pinned.join(' ')) throw new StackError('MTL_STACK_INSTALL_FAILED', `the environment of ${neededBy} has ${stdout.trim()}`);
      },
    },
    options,
  );
  return join(venv, 'bin', 'python');
}
