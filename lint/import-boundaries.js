// @ts-check
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The workspace's import boundaries (issue 14, item 3): no service imports another service,
 * and nothing under packages/, infra/local or dashboards/ imports a service. What two services
 * share belongs in a package (contracts, series, feeds). An import is judged by where it lands:
 * by workspace package name (`@meterline/alerter`, also `@meterline/alerter/sub`) or by a
 * relative path resolved against the importing file. Type-only imports count as well: they
 * couple as much.
 *
 * The test/ workspace (end-to-end tests and benchmarks) and the root's scripts may import
 * services: they start them and drive them across their edges, which is their job.
 */

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** `@meterline/<name>` → `services/<dir>`, read once from the services' package.json. */
function servicePackages(root) {
  const byName = new Map();
  for (const dir of readdirSync(join(root, 'services'), { withFileTypes: true })) {
    if (!dir.isDirectory()) continue;
    try {
      const { name } = JSON.parse(readFileSync(join(root, 'services', dir.name, 'package.json'), 'utf8'));
      if (typeof name === 'string') byName.set(name, `services/${dir.name}`);
    } catch (error) {
      // A folder without a package.json is no workspace: nothing to import by name.
      if (/** @type {NodeJS.ErrnoException} */ (error).code !== 'ENOENT') throw error;
    }
  }
  return byName;
}

/** The workspace a repository path lies in: `services/api`, `packages/feeds`, `infra/local`, `dashboards`, `test`; undefined elsewhere (the root). */
function workspaceOf(path) {
  const parts = path.split('/');
  if ((parts[0] === 'services' || parts[0] === 'packages') && parts.length > 2) return `${parts[0]}/${parts[1]}`;
  if (parts[0] === 'infra' && parts[1] === 'local') return 'infra/local';
  if (parts[0] === 'dashboards' || parts[0] === 'test') return parts[0];
  return undefined;
}

/** @type {Map<string, string> | undefined} */
let servicePackagesOnce;

const isService = (workspace) => workspace?.startsWith('services/') === true;
/** Workspaces that must never import a service. */
const isLibrary = (workspace) => workspace !== undefined && (workspace.startsWith('packages/') || workspace === 'infra/local' || workspace === 'dashboards');

/** @type {import('eslint').Rule.RuleModule} */
const importBoundaries = {
  meta: {
    type: 'problem',
    docs: { description: 'No service imports another service; packages/, infra/local and dashboards/ import no service.' },
    schema: [],
    messages: {
      serviceToService: '{{from}} imports {{to}} ("{{source}}"): no service imports another service; move what both need into a package (contracts, series, feeds).',
      libraryToService: '{{from}} imports {{to}} ("{{source}}"): packages/, infra/local and dashboards/ never import a service.',
    },
  },
  create(context) {
    const root = ROOT;
    const file = relative(root, context.filename).split(sep).join('/');
    const from = workspaceOf(file);
    if (!isService(from) && !isLibrary(from)) return {};
    const services = (servicePackagesOnce ??= servicePackages(root));

    /** The service an import source lands in, if any. */
    const target = (source) => {
      if (source.startsWith('.')) {
        const landed = relative(root, resolve(dirname(context.filename), source)).split(sep).join('/');
        const workspace = workspaceOf(landed);
        return isService(workspace) ? workspace : undefined;
      }
      const name = source.split('/').slice(0, 2).join('/');
      return services.get(name);
    };

    /** @param {import('eslint').Rule.Node} node @param {unknown} source */
    const check = (node, source) => {
      if (typeof source !== 'string') return;
      const to = target(source);
      if (to === undefined || to === from) return;
      context.report({ node, messageId: isService(from) ? 'serviceToService' : 'libraryToService', data: { from: /** @type {string} */ (from), to, source } });
    };

    return {
      ImportDeclaration: (node) => check(node.source, node.source.value),
      ExportNamedDeclaration: (node) => node.source && check(node.source, node.source.value),
      ExportAllDeclaration: (node) => check(node.source, node.source.value),
      ImportExpression: (node) => node.source.type === 'Literal' && check(node.source, node.source.value),
      // `import x = require('…')` in TypeScript.
      TSExternalModuleReference: (/** @type {any} */ node) => node.expression?.type === 'Literal' && check(node.expression, node.expression.value),
    };
  },
};

export default { rules: { 'import-boundaries': importBoundaries } };
