// Bundles each service's entry point, with everything it imports, into one file
/* global URL, performance, console */
// services/<name>/dist/main.js: a deployable service needs only Node to run.
import { build } from 'esbuild';
import { readdirSync, existsSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const services = readdirSync(join(root, 'services')).filter((name) => existsSync(join(root, 'services', name, 'src', 'main.ts')));

/**
 * @platformatic/kafka's WebAssembly helpers read `native.wasm` next to their own module file,
 * which a bundle does not have; their `/bundled` entry holds the same module inline.
 */
const inlineWasm = {
  name: 'platformatic-wasm-inline',
  setup(build) {
    build.onResolve({ filter: /^@platformatic\/wasm-utils$/ }, (args) =>
      build.resolve('@platformatic/wasm-utils/bundled', { kind: args.kind, resolveDir: args.resolveDir }),
    );
  },
};

const started = performance.now();
await Promise.all(
  services.map((name) =>
    build({
      entryPoints: [join(root, 'services', name, 'src', 'main.ts')],
      outfile: join(root, 'services', name, 'dist', 'main.js'),
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node24',
      sourcemap: true,
      // Some bundled CommonJS packages call require(); give the ESM bundle one, under a name
      // no source file imports (a service importing createRequire itself would clash).
      banner: { js: "import { createRequire as __bundleCreateRequire } from 'node:module'; const require = __bundleCreateRequire(import.meta.url);" },
      plugins: [inlineWasm],
      // modbus-serial (the edge agent) requires serialport only when a serial line is opened, which
      // the agent never does (Modbus TCP only); serialport is left out of the install.
      external: ['serialport'],
      logLevel: 'warning',
    }),
  ),
);
console.log(`built ${services.join(', ')} in ${Math.round(performance.now() - started)} ms`);
