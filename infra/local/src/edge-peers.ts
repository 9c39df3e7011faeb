import { join } from 'node:path';
import { StackError } from './errors.ts';
import { ensurePythonVenv, type PythonVenvOptions } from './python-venv.ts';
import { runCommand } from './run-command.ts';
import { VERSIONS } from './versions.ts';

export interface EdgePeersInstallation {
  /** The virtual environment's interpreter: it imports pysparkplug, pymodbus and dlt645. */
  readonly python: string;
}

const PEERS = { pysparkplug: VERSIONS.pysparkplug, pymodbus: VERSIONS.pymodbus, dlt645: VERSIONS.dlt645 } as const;

/**
 * Makes sure the edge tests' independent peers (a Sparkplug B edge node, a Modbus TCP server, a
 * DL/T 645 meter; see docs/edge-peers.md) are installed in their own virtual environment and
 * returns its interpreter.
 */
export async function ensureEdgePeers(options: PythonVenvOptions = {}): Promise<EdgePeersInstallation> {
  const pinned = Object.entries(PEERS).map(([name, version]) => `${name}==${version}`);
  const venv = await ensurePythonVenv(
    {
      name: 'edge-peers',
      // One directory per combination of the pins: bumping any one installs afresh.
      version: Object.values(PEERS).join('-'),
      requirements: pinned,
      neededBy: `the edge tests' peers (${pinned.join(', ')})`,
      check: async (dir) => {
        const script = 'from importlib.metadata import version as v; print(" ".join(f"{n}=={v(n)}" for n in ("pysparkplug", "pymodbus", "dlt645")))';
        const { stdout } = await runCommand(join(dir, 'bin', 'python'), ['-c', script]);
        if (stdout.trim() !== pinned.join(' ')) throw new StackError('MTL_STACK_INSTALL_FAILED', `the edge peers' environment has ${stdout.trim()}, not ${pinned.join(' ')}`);
      },
    },
    options,
  );
  return { python: join(venv, 'bin', 'python') };
}
