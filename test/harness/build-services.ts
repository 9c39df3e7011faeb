import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

/** The services as the end-to-end tests run them: built bundles (services/<name>/dist/main.js). */
export function buildServices(): void {
  execFileSync(process.execPath, [join(import.meta.dirname, '..', '..', 'scripts', 'build.mjs')], { stdio: 'inherit' });
}
