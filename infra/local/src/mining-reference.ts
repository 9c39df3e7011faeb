import { join } from 'node:path';
import { StackError } from './errors.ts';
import { ensurePythonVenv, type PythonVenvOptions } from './python-venv.ts';
import { runCommand } from './run-command.ts';
import { VERSIONS } from './versions.ts';

export interface MiningReferenceInstallation {
  /** The virtual environment's interpreter: it imports opendsm (run test/reference/opendsm_baseline.py with it). */
  readonly python: string;
}

/** PyPI distribution name → pinned version; opendsm first, the rest what its figures depend on. */
const PINS = {
  opendsm: VERSIONS.opendsm,
  multimethod: VERSIONS.opendsmMultimethod,
  numpy: VERSIONS.opendsmNumpy,
  pandas: VERSIONS.opendsmPandas,
  scipy: VERSIONS.opendsmScipy,
  nlopt: VERSIONS.opendsmNlopt,
  numba: VERSIONS.opendsmNumba,
} as const;

/**
 * Makes sure the mining baseline's reference, OpenDSM (LF Energy's OpenEEmeter; see
 * test/reference/README.md), is installed with its pinned numeric stack in its own virtual
 * environment and returns its interpreter. The first install downloads about 1.2 GB of wheels.
 */
export async function ensureMiningReference(options: PythonVenvOptions = {}): Promise<MiningReferenceInstallation> {
  const pinned = Object.entries(PINS).map(([name, version]) => `${name}==${version}`);
  const venv = await ensurePythonVenv(
    {
      name: 'mining-reference',
      // One directory per combination of the pins: bumping any one installs afresh.
      version: Object.values(PINS).join('-'),
      requirements: pinned,
      neededBy: `the mining baseline's reference (${pinned.join(', ')})`,
      check: async (dir) => {
        // Importing opendsm's daily model is the check: a dependency that installs but does not
        // import (multimethod 2 under scikit-fda) fails here, not in the comparison.
        const names = JSON.stringify(Object.keys(PINS));
        const script = `from importlib.metadata import version as v\nfrom opendsm.eemeter import DailyModel\nprint(" ".join(f"{n}=={v(n)}" for n in ${names}))`;
        const { stdout } = await runCommand(join(dir, 'bin', 'python'), ['-c', script]);
        if (stdout.trim() !== pinned.join(' ')) throw new StackError('MTL_STACK_INSTALL_FAILED', `the mining reference's environment has ${stdout.trim()}, not ${pinned.join(' ')}`);
      },
    },
    options,
  );
  return { python: join(venv, 'bin', 'python') };
}
