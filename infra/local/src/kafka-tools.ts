import { mkdir, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { defaultCacheDir } from './cache-dir.ts';
import { DEBIAN_TOOLS, ensureDebianTool } from './debian-packages.ts';
import { StackError } from './errors.ts';
import { withFileLock } from './file-lock.ts';
import { exists, step } from './install.ts';
import { runCommand } from './run-command.ts';
import { VERSIONS } from './versions.ts';

const toolsPom = (): string => `<?xml version="1.0" encoding="UTF-8"?>
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>dev.meterline</groupId>
  <artifactId>local-kafka-tools</artifactId>
  <version>${VERSIONS.kafka}</version>
  <packaging>pom</packaging>
  <dependencies>
    <dependency><groupId>org.apache.kafka</groupId><artifactId>kafka-tools</artifactId><version>${VERSIONS.kafka}</version></dependency>
  </dependencies>
</project>
`;

/**
 * Kafka's own performance tools (ProducerPerformance, ConsumerPerformance) from Maven Central, for
 * the benchmarks' raw Kafka baseline. Apart from the broker's jars, which they do not need: the
 * stack never runs them, so a broker install is not redone for them.
 */
export async function ensureKafkaTools(options: { readonly cacheDir?: string; readonly log?: (line: string) => void } = {}): Promise<{ readonly classpath: string }> {
  const cacheDir = options.cacheDir ?? defaultCacheDir();
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const home = join(cacheDir, `kafka-tools-${VERSIONS.kafka}`);
  const libsDir = join(home, 'libs');
  const installed = { classpath: join(libsDir, '*') };
  if (await exists(join(home, '.complete'))) return installed;
  await mkdir(home, { recursive: true });
  return withFileLock(join(cacheDir, 'kafka-tools.lock'), { timeoutMs: 10 * 60_000 }, async () => {
    if (await exists(join(home, '.complete'))) return installed;
    const mvn = await ensureDebianTool(DEBIAN_TOOLS.maven, log);
    const pom = join(home, 'pom.xml');
    await writeFile(pom, toolsPom());
    const scratch = join(home, `libs.tmp-${process.pid}`);
    await rm(scratch, { recursive: true, force: true });
    await step(log, `mvn fetch kafka-tools ${VERSIONS.kafka} jars`, () =>
      runCommand(mvn, ['-B', '-q', '-f', pom, 'dependency:copy-dependencies', '-DincludeScope=runtime', `-DoutputDirectory=${scratch}`]),
    );
    if (!(await readdir(scratch)).some((f) => f.startsWith('kafka-tools-'))) {
      throw new StackError('MTL_STACK_INSTALL_FAILED', `mvn finished but ${scratch} holds no kafka-tools jar`);
    }
    await rm(libsDir, { recursive: true, force: true });
    await rename(scratch, libsDir);
    await writeFile(join(home, '.complete'), `${new Date().toISOString()}\n`);
    return installed;
  });
}
