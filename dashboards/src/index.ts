// `pnpm dashboards:build`: writes every dashboard to dashboards/build/<uid>.json, the folder
// Grafana provisions (infra/grafana/provisioning/dashboards). Removes files of dashboards
// that no longer exist, so the folder holds exactly what the code builds.
import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { buildDashboards, dashboardFile, dashboardJson } from './dashboards.ts';

const buildDir = join(import.meta.dirname, '..', 'build');
await mkdir(buildDir, { recursive: true });
const built = buildDashboards();
const wanted = new Set(built.map(dashboardFile));
for (const file of await readdir(buildDir)) if (file.endsWith('.json') && !wanted.has(file)) await rm(join(buildDir, file));
for (const d of built) await writeFile(join(buildDir, dashboardFile(d)), dashboardJson(d));
console.log(`dashboards: wrote ${built.map(dashboardFile).join(', ')} to dashboards/build`);
