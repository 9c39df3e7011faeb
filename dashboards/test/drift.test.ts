// The drift check CI runs: the committed dashboards/build must be exactly what the code builds.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildDashboards, dashboardFile, dashboardJson } from '../src/dashboards.ts';

const buildDir = join(import.meta.dirname, '..', 'build');
const REBUILD = 'dashboards/build differs from what dashboards/src builds: run `pnpm dashboards:build` and commit dashboards/build';

describe('dashboards/build (provisioned by Grafana)', () => {
  const built = buildDashboards();

  it('holds one file per dashboard, no more', () => {
    const committed = readdirSync(buildDir).filter((f) => f.endsWith('.json')).sort();
    expect(committed, REBUILD).toEqual(built.map(dashboardFile).sort());
  });

  it.each(built.map((d) => [dashboardFile(d), d] as const))('%s is what the code builds', (file, d) => {
    const committed = readFileSync(join(buildDir, file), 'utf8').split('\n');
    const expected = dashboardJson(d).split('\n');
    const line = expected.findIndex((text, i) => committed[i] !== text);
    // The first differing line, not a whole-file diff: the fix is the same whatever it is.
    expect(line === -1 && committed.length === expected.length ? 'same' : `differs at line ${line + 1}: ${committed[line]?.trim()} → ${expected[line]?.trim()}`, REBUILD).toBe('same');
  });
});
