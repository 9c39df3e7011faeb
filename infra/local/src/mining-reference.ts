import { ensurePinnedPackages, type PythonVenvOptions } from './python-venv.ts';
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
  // Importing opendsm's daily model is part of the check: a dependency that installs but does not
  // import (multimethod 2 under scikit-fda) fails here, not in the comparison.
  const spec = { name: 'mining-reference', pins: PINS, neededBy: "the mining baseline's reference", imports: 'from opendsm.eemeter import DailyModel' };
  return { python: await ensurePinnedPackages(spec, options) };
}
