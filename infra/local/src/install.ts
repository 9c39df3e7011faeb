import { access, mkdir, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { defaultCacheDir } from './cache-dir.ts';
import { DEBIAN_TOOLS, ensureDebianTool } from './debian-packages.ts';
import { StackError } from './errors.ts';
import { withFileLock } from './file-lock.ts';
import { runCommand } from './run-command.ts';
import { VERSIONS } from './versions.ts';

export interface Installation {
  readonly cacheDir: string;
  /** Mosquitto 2; its dynamic security plugin is looked for when a broker starts (findDynsecPlugin). */
  readonly mosquitto: { readonly bin: string };
  readonly influxd: { readonly bin: string };
  readonly kafka: { readonly java: string; readonly libsDir: string; readonly classpath: string };
  readonly prometheus: { readonly bin: string; readonly version: string };
  /** Headless Chromium, which prints the monthly report to PDF; with a font that has Chinese glyphs. */
  readonly chromium: { readonly bin: string };
  /** Poppler's pdftotext, with which the tests read a printed report back. */
  readonly pdftotext: { readonly bin: string };
}

export interface InstallOptions {
  readonly cacheDir?: string;
  /** One line per install step; defaults to stderr so it does not pollute machine-readable stdout. */
  readonly log?: (line: string) => void;
  /** How long to wait for another process that is installing into the same cache. */
  readonly lockTimeoutMs?: number;
}

export async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}

export async function step<T>(log: (line: string) => void, label: string, body: () => Promise<T>): Promise<T> {
  const started = performance.now();
  const result = await body();
  log(`[local-stack] ${label} (${((performance.now() - started) / 1000).toFixed(1)} s)`);
  return result;
}

async function mosquittoProblem(bin: string): Promise<string | undefined> {
  // `mosquitto -h` prints its version and exits 3 (usage): allowed. Config keys used here need 2.x.
  const { stdout, stderr } = await runCommand(bin, ['-h'], { allowFailure: true });
  const major = Number(/mosquitto version (\d+)\./.exec(stdout + stderr)?.[1] ?? 0);
  return major < 2 ? `${bin} is not Mosquitto 2.x (its -h output: ${JSON.stringify((stdout + stderr).split('\n')[0])})` : undefined;
}

async function ensureMosquitto(log: (line: string) => void): Promise<Installation['mosquitto']> {
  return { bin: await ensureDebianTool(DEBIAN_TOOLS.mosquitto, log, mosquittoProblem) };
}

async function goProblem(go: string): Promise<string | undefined> {
  const { stdout } = await runCommand(go, ['version'], { errorCode: 'MTL_STACK_TOOL_MISSING' });
  const [major, minor] = (/go(\d+)\.(\d+)/.exec(stdout)?.slice(1) ?? ['0', '0']).map(Number) as [number, number];
  const [wantMajor, wantMinor] = VERSIONS.goMin;
  const ok = major > wantMajor || (major === wantMajor && minor >= wantMinor);
  return ok ? undefined : `${go} is ${stdout.trim()}; building InfluxDB ${VERSIONS.influxdb} needs Go ${wantMajor}.${wantMinor}+`;
}

/** Go from PATH, or Debian's golang-go when it is missing or older than the InfluxDB build needs (the device guide's Go example runs on it too). */
export const ensureGo = (log: (line: string) => void): Promise<string> => ensureDebianTool(DEBIAN_TOOLS.go, log, goProblem);

async function prometheusVersion(bin: string): Promise<{ version?: string; problem?: string }> {
  const { stdout, stderr } = await runCommand(bin, ['--version'], { allowFailure: true });
  const match = /prometheus, version (\d+)\.(\d+)\.(\d+)/.exec(stdout + stderr);
  const [major, minor] = [Number(match?.[1] ?? 0), Number(match?.[2] ?? 0)];
  const [minMajor, minMinor] = VERSIONS.prometheusMin;
  if (match === null || major < minMajor || (major === minMajor && minor < minMinor)) {
    return { problem: `${bin} is not Prometheus ${minMajor}.${minMinor} or later (its --version: ${JSON.stringify((stdout + stderr).split('\n')[0])})` };
  }
  return { version: `${match[1]}.${match[2]}.${match[3]}` };
}

/**
 * Debian's `prometheus`. Its post-install enables a system service on :9090 (started where an init
 * system runs one): the stack never uses it, it runs its own with its own config, port and data.
 */
async function ensurePrometheus(log: (line: string) => void): Promise<Installation['prometheus']> {
  const bin = await ensureDebianTool(DEBIAN_TOOLS.prometheus, log, async (path) => (await prometheusVersion(path)).problem);
  const { version } = await prometheusVersion(bin);
  return { bin, version: version! };
}

/**
 * `go install` of one module into `<home>/bin`, built into a scratch directory and renamed: an
 * interrupted build never looks installed.
 */
export async function goInstallInto(home: string, label: string, installArgs: readonly string[], log: (line: string) => void): Promise<void> {
  const go = await ensureGo(log);
  const scratch = join(home, `bin.tmp-${process.pid}`);
  await rm(scratch, { recursive: true, force: true });
  await mkdir(scratch, { recursive: true });
  const goflags = [process.env.GOFLAGS ?? '', '-mod=mod'].join(' ').trim();
  await step(log, label, () => runCommand(go, ['install', ...installArgs], { env: { ...process.env, CGO_ENABLED: '0', GOBIN: scratch, GOFLAGS: goflags } }));
  await rm(join(home, 'bin'), { recursive: true, force: true });
  await rename(scratch, join(home, 'bin'));
}

async function ensureInfluxd(cacheDir: string, log: (line: string) => void): Promise<Installation['influxd']> {
  const home = join(cacheDir, `influxdb-${VERSIONS.influxdb}`);
  const bin = join(home, 'bin', 'influxd');
  if (await exists(bin)) return { bin };
  await goInstallInto(
    home,
    `go install influxd ${VERSIONS.influxdb}`,
    ['-ldflags', `-X main.version=${VERSIONS.influxdb}`, `github.com/influxdata/influxdb/cmd/influxd@v${VERSIONS.influxdb}`],
    log,
  );
  return { bin };
}

function kafkaPom(): string {
  const dep = (group: string, artifact: string, version: string): string =>
    `    <dependency><groupId>${group}</groupId><artifactId>${artifact}</artifactId><version>${version}</version></dependency>`;
  return `<?xml version="1.0" encoding="UTF-8"?>
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>dev.meterline</groupId>
  <artifactId>local-kafka</artifactId>
  <version>${VERSIONS.kafka}</version>
  <packaging>pom</packaging>
  <dependencies>
${dep('org.apache.kafka', `kafka_${VERSIONS.scala}`, VERSIONS.kafka)}
${dep('org.apache.logging.log4j', 'log4j-api', VERSIONS.log4j)}
${dep('org.apache.logging.log4j', 'log4j-core', VERSIONS.log4j)}
${dep('org.apache.logging.log4j', 'log4j-slf4j-impl', VERSIONS.log4j)}
  </dependencies>
</project>
`;
}

async function javaMajor(java: string): Promise<number> {
  const { stderr, stdout } = await runCommand(java, ['-version'], { errorCode: 'MTL_STACK_TOOL_MISSING' });
  const match = /version "(\d+)(?:\.(\d+))?/.exec(stderr + stdout);
  if (match?.[1] === undefined) return 0;
  const major = Number(match[1]);
  return major === 1 ? Number(match[2] ?? 0) : major;
}

async function ensureKafka(cacheDir: string, log: (line: string) => void): Promise<Installation['kafka']> {
  const java = await ensureDebianTool(DEBIAN_TOOLS.java, log, async (path) => {
    const major = await javaMajor(path);
    return major < VERSIONS.javaMin ? `Kafka ${VERSIONS.kafka} needs Java ${VERSIONS.javaMin}+, found Java ${major} at ${path}` : undefined;
  });
  const home = join(cacheDir, `kafka-${VERSIONS.kafka}`);
  const libsDir = join(home, 'libs');
  const complete = join(home, '.complete');
  if (!(await exists(complete))) {
    const mvn = await ensureDebianTool(DEBIAN_TOOLS.maven, log);
    await mkdir(home, { recursive: true });
    const pom = join(home, 'pom.xml');
    await writeFile(pom, kafkaPom());
    const scratch = join(home, `libs.tmp-${process.pid}`);
    await rm(scratch, { recursive: true, force: true });
    await step(log, `mvn fetch kafka_${VERSIONS.scala} ${VERSIONS.kafka} jars`, () =>
      runCommand(mvn, ['-B', '-q', '-f', pom, 'dependency:copy-dependencies', '-DincludeScope=runtime', `-DoutputDirectory=${scratch}`]),
    );
    const jars = (await readdir(scratch)).filter((f) => f.endsWith('.jar'));
    if (!jars.some((f) => f.startsWith(`kafka_${VERSIONS.scala}-`))) {
      throw new StackError('MTL_STACK_INSTALL_FAILED', `mvn finished but ${scratch} holds no kafka_${VERSIONS.scala} jar`);
    }
    await rm(libsDir, { recursive: true, force: true });
    await rename(scratch, libsDir);
    await writeFile(complete, `${new Date().toISOString()}\n`);
  }
  return { java, libsDir, classpath: join(libsDir, '*') };
}

/** Chromium draws a box for every character no installed font has: a Chinese name needs a font with Chinese glyphs. */
async function chromiumProblem(): Promise<string | undefined> {
  const { code, stdout } = await runCommand('fc-list', [':lang=zh', 'family'], { allowFailure: true }).catch(() => ({ code: -1, stdout: '' }));
  return code === 0 && stdout.trim() !== '' ? undefined : 'no font with Chinese glyphs for Chromium (fc-list :lang=zh lists none)';
}

/**
 * Makes sure Mosquitto, InfluxDB, the Kafka jars, Prometheus, Chromium (with a CJK font) and pdftotext are installed. Idempotent and cheap when
 * everything is there; concurrent callers (parallel CI jobs, test workers) serialise on a lock
 * file so nothing is built twice.
 */
export async function ensureInstalled(options: InstallOptions = {}): Promise<Installation> {
  const cacheDir = options.cacheDir ?? defaultCacheDir();
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  await mkdir(cacheDir, { recursive: true });
  return withFileLock(
    join(cacheDir, 'install.lock'),
    {
      timeoutMs: options.lockTimeoutMs ?? 20 * 60_000,
      onWait: (pid) => log(`[local-stack] waiting for another install (pid ${pid ?? '?'}) to finish`),
    },
    async () => {
      const mosquitto = await ensureMosquitto(log);
      const kafka = await ensureKafka(cacheDir, log);
      const influxd = await ensureInfluxd(cacheDir, log);
      const prometheus = await ensurePrometheus(log);
      const chromium = { bin: await ensureDebianTool(DEBIAN_TOOLS.chromium, log, chromiumProblem) };
      const pdftotext = { bin: await ensureDebianTool(DEBIAN_TOOLS.pdftotext, log) };
      return { cacheDir, mosquitto, influxd, kafka, prometheus, chromium, pdftotext };
    },
  );
}
