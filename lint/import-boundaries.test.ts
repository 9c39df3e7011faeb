import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const RULE = 'meterline/import-boundaries';

/**
 * The workspace's own eslint.config.js, so the files it applies to are proven too, running this
 * rule alone and without type information (the snippets are not on disk).
 */
const eslint = new ESLint({
  cwd: ROOT,
  overrideConfig: { languageOptions: { parserOptions: { projectService: false } } },
  ruleFilter: ({ ruleId }) => ruleId === RULE,
});

async function lint(filePath: string, code: string) {
  const [result] = await eslint.lintText(code, { filePath });
  return result!.messages.map((m) => ({ ruleId: m.ruleId, message: m.message }));
}

const serviceToService = (from: string, to: string, source: string) =>
  `${from} imports ${to} ("${source}"): no service imports another service; move what both need into a package (contracts, series, feeds).`;
const libraryToService = (from: string, to: string, source: string) =>
  `${from} imports ${to} ("${source}"): packages/, infra/local and dashboards/ never import a service.`;

describe('the import boundaries (issue 14, item 3)', () => {
  it.each([
    ['services/api/src/boundary-probe.ts', `import { ALERTER_MEASUREMENTS } from '@meterline/alerter';`, serviceToService('services/api', 'services/alerter', '@meterline/alerter')],
    ['services/api/test/boundary-probe.ts', `import type { AlerterConfig } from '../../alerter/src/config.ts';`, serviceToService('services/api', 'services/alerter', '../../alerter/src/config.ts')],
    ['services/ingest/src/deep/boundary-probe.ts', `export { createWriterApp } from '../../../writer/src/app.ts';`, serviceToService('services/ingest', 'services/writer', '../../../writer/src/app.ts')],
    ['services/alerter/src/boundary-probe.ts', `export const load = () => import('@meterline/aggregator');`, serviceToService('services/alerter', 'services/aggregator', '@meterline/aggregator')],
    ['packages/feeds/src/boundary-probe.ts', `import { parseAlertingConfig } from '@meterline/alerter';`, libraryToService('packages/feeds', 'services/alerter', '@meterline/alerter')],
    ['packages/cli/test/boundary-probe.ts', `export * from '../../../services/ingest/src/app.ts';`, libraryToService('packages/cli', 'services/ingest', '../../../services/ingest/src/app.ts')],
    ['infra/local/src/boundary-probe.ts', `import '@meterline/api';`, libraryToService('infra/local', 'services/api', '@meterline/api')],
    ['dashboards/src/boundary-probe.ts', `import { writeFigures } from '@meterline/aggregator';`, libraryToService('dashboards', 'services/aggregator', '@meterline/aggregator')],
  ])('fails %s on: %s', async (filePath, code, message) => {
    expect(await lint(filePath, code)).toEqual([{ ruleId: RULE, message }]);
  });

  it('lets a service import packages and its own files, and the end-to-end tests import services', async () => {
    const service = [
      `import { overlayAlerting } from '@meterline/feeds';`,
      `import { createLogger } from '@meterline/service-kit';`,
      `import { buildApi } from '../src/app.ts';`,
      `import { alertingDirectory } from '../src/alerting/alerting-directory.ts';`,
      `export { overlayAlerting, createLogger, buildApi, alertingDirectory };`,
    ].join('\n');
    expect(await lint('services/api/test/boundary-probe.ts', service)).toEqual([]);
    expect(await lint('services/alerter/src/boundary-probe.ts', `export { createAlertManager } from '@meterline/alerter';`)).toEqual([]);
    expect(await lint('test/e2e/boundary-probe.ts', `export { saveAlerts } from '@meterline/alerter';\nexport { writeFigures } from '@meterline/aggregator';`)).toEqual([]);
  });
});
