import { StackError } from './errors.ts';
import { runCommand, which } from './run-command.ts';

/**
 * A tool the launcher needs and the Debian packages that provide it. The packages are the
 * distribution's defaults (default-jre-headless is Java 17 on bookworm, 21 on trixie), so the
 * same names work across Debian releases; the caller checks the version it gets.
 */
export interface DebianTool {
  readonly command: string;
  readonly packages: readonly string[];
  /** What the tool is for, in the error a non-root user sees. */
  readonly purpose: string;
}

export const DEBIAN_TOOLS = Object.freeze({
  mosquitto: { command: 'mosquitto', packages: ['mosquitto', 'mosquitto-clients'], purpose: 'the MQTT broker' },
  java: { command: 'java', packages: ['default-jre-headless'], purpose: 'running Kafka' },
  maven: { command: 'mvn', packages: ['maven'], purpose: 'fetching the Kafka jars from Maven Central' },
  go: { command: 'go', packages: ['golang-go'], purpose: 'building InfluxDB from the Go module proxy, and the Go signing example of the device guide' },
  prometheus: { command: 'prometheus', packages: ['prometheus'], purpose: 'scraping the services\' metrics' },
  // A font with Chinese glyphs too: enterprise, site and point names are often Chinese, and Chromium draws boxes without one.
  chromium: { command: 'chromium', packages: ['chromium', 'fonts-wqy-microhei'], purpose: 'printing the monthly report as PDF (the API) and rendering it in the end-to-end test' },
  pdftotext: { command: 'pdftotext', packages: ['poppler-utils'], purpose: 'reading the printed monthly report back in the end-to-end test' },
  cc: { command: 'cc', packages: ['gcc', 'libc6-dev'], purpose: "building the broker's rate-limit plugin" },
} satisfies Record<string, DebianTool>);

const APT_ENV = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
let aptListsFresh = false;

/** Installs the packages with apt-get (once `apt-get update` per process), as root. */
export async function aptInstall(packages: readonly string[], log: (line: string) => void): Promise<void> {
  const started = performance.now();
  if (!aptListsFresh) {
    await runCommand('apt-get', ['update'], { env: APT_ENV });
    aptListsFresh = true;
  }
  await runCommand('apt-get', ['install', '-y', '--no-install-recommends', ...packages], { env: APT_ENV });
  log(`[local-stack] apt-get install ${packages.join(' ')} (${((performance.now() - started) / 1000).toFixed(1)} s)`);
}

function canUseApt(): Promise<boolean> {
  return process.getuid?.() === 0 ? which('apt-get').then((apt) => apt !== undefined) : Promise.resolve(false);
}

/**
 * Installs `packages` from Debian when this is a root Debian-family machine; elsewhere throws an
 * error that says `why` and what to install.
 */
export async function aptInstallAsRoot(packages: readonly string[], why: string, log: (line: string) => void): Promise<void> {
  if (!(await canUseApt())) {
    throw new StackError(
      process.getuid?.() === 0 ? 'MTL_STACK_TOOL_MISSING' : 'MTL_STACK_NOT_ROOT',
      `${why}: install it, e.g. \`sudo apt-get install -y ${packages.join(' ')}\`, then retry`,
    );
  }
  log(`[local-stack] ${why}: installing ${packages.join(' ')} from Debian`);
  await aptInstall(packages, log);
}

/**
 * The tool's path on PATH; when it is missing (or `outdated` says the one found will not do)
 * and this is a root Debian-family machine, its packages are installed first. Elsewhere the
 * error names what to install.
 */
export async function ensureDebianTool(
  tool: DebianTool,
  log: (line: string) => void,
  outdated: (path: string) => Promise<string | undefined> = () => Promise.resolve(undefined),
): Promise<string> {
  const found = await which(tool.command);
  const problem = found === undefined ? `${tool.command} not found on PATH` : await outdated(found);
  if (found !== undefined && problem === undefined) return found;
  await aptInstallAsRoot(tool.packages, `${tool.purpose} needs ${tool.command} (${problem})`, log);
  const installed = await which(tool.command);
  const stillWrong = installed === undefined ? `apt-get installed ${tool.packages.join(' ')} but ${tool.command} is not on PATH` : await outdated(installed);
  if (installed === undefined || stillWrong !== undefined) {
    throw new StackError('MTL_STACK_INSTALL_FAILED', `${tool.purpose}: ${stillWrong ?? 'unusable after install'}`);
  }
  return installed;
}
