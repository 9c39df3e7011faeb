import { ensurePinnedPackages, type PythonVenvOptions } from './python-venv.ts';
import { VERSIONS } from './versions.ts';

export interface EdgePeersInstallation {
  /** The virtual environment's interpreter: it imports pysparkplug, pymodbus and dlt645. */
  readonly python: string;
}

/**
 * Makes sure the edge tests' independent peers (a Sparkplug B edge node, a Modbus TCP server, a
 * DL/T 645 meter; see docs/edge-peers.md) are installed in their own virtual environment and
 * returns its interpreter.
 */
export async function ensureEdgePeers(options: PythonVenvOptions = {}): Promise<EdgePeersInstallation> {
  const pins = { pysparkplug: VERSIONS.pysparkplug, pymodbus: VERSIONS.pymodbus, dlt645: VERSIONS.dlt645 };
  return { python: await ensurePinnedPackages({ name: 'edge-peers', pins, neededBy: "the edge tests' peers" }, options) };
}
