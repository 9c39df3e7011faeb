import type * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import { describe, expect, it } from 'vitest';
import { ALERT_HISTORY } from '@meterline/series';
import { INFLUXDB, PROMETHEUS, REPORTING_TIME_ZONE, type InfluxQlQuery } from '../src/common.ts';
import { buildDashboards } from '../src/dashboards.ts';

type Target = { refId?: string; datasource?: { type?: string; uid?: string }; query?: string; expr?: string; rawQuery?: boolean };

const panelsOf = (d: dashboard.Dashboard): dashboard.Panel[] =>
  (d.panels ?? []).flatMap((p) => (p.type === 'row' ? (p as dashboard.RowPanel).panels : [p as dashboard.Panel]));

/** `$name`, `${name}` and `${name:format}` references, macros (`$__…`, `$timeFilter`) left out. */
const variablesIn = (text: string): string[] =>
  [...text.matchAll(/\$(?:\{(\w+)(?::\w+)?\}|(\w+))/g)].map((m) => m[1] ?? m[2]!).filter((v) => !v.startsWith('__') && v !== 'timeFilter' && !v.startsWith('tag_') && v !== 'col');

describe('Meterline dashboards', () => {
  const dashboards = buildDashboards();

  it('have distinct uids Grafana accepts and are shown in the reporting time zone', () => {
    expect(new Set(dashboards.map((d) => d.uid)).size).toBe(dashboards.length);
    for (const d of dashboards) {
      expect(d.uid).toMatch(/^[a-z0-9-]{8,40}$/);
      expect(d.timezone, d.uid).toBe(REPORTING_TIME_ZONE);
    }
  });

  it.each(dashboards.map((d) => [d.uid!, d] as const))('%s: panel ids unique, panels inside the 24-column grid and not overlapping', (_uid, d) => {
    const all = d.panels ?? [];
    expect(new Set(all.map((p) => p.id)).size).toBe(all.length);
    const cells = new Set<string>();
    for (const p of all) {
      const g = p.gridPos!;
      expect(g.x + g.w, p.title).toBeLessThanOrEqual(24);
      for (let x = g.x; x < g.x + g.w; x++) {
        for (let y = g.y; y < g.y + g.h; y++) {
          expect(cells.has(`${x},${y}`), `${p.title} overlaps at ${x},${y}`).toBe(false);
          cells.add(`${x},${y}`);
        }
      }
    }
  });

  it.each(dashboards.map((d) => [d.uid!, d] as const))('%s: every query names a provisioned data source and a distinct refId', (_uid, d) => {
    for (const panel of panelsOf(d).filter((p) => p.type !== 'text')) {
      const targets = (panel.targets ?? []) as Target[];
      expect(targets.length, panel.title).toBeGreaterThan(0);
      expect(new Set(targets.map((t) => t.refId)).size, panel.title).toBe(targets.length);
      for (const t of targets) {
        expect([INFLUXDB, PROMETHEUS], panel.title).toContainEqual(t.datasource);
        expect(t.datasource, panel.title).toEqual(panel.datasource);
      }
    }
  });

  it.each(dashboards.map((d) => [d.uid!, d] as const))('%s: InfluxQL queries are raw, bounded by the dashboard range (open alerts: by being open), and never cut days in UTC', (_uid, d) => {
    for (const panel of panelsOf(d)) {
      for (const t of (panel.targets ?? []) as Target[]) {
        if (t.datasource?.type !== 'influxdb') continue;
        const query = (t as InfluxQlQuery).query;
        expect(t.rawQuery, panel.title).toBe(true);
        // Open alerts are the state now, not a series over the range: bounded by the alerts open, not by time.
        if (query.includes(`FROM "${ALERT_HISTORY.measurement}"`)) expect(query, panel.title).toContain(`"${ALERT_HISTORY.fields.status}" = 'firing'`);
        else expect(query, panel.title).toContain('$timeFilter');
        // Figures carry their local period start; grouping by time would need the zone.
        if (/GROUP BY[^;]*time\(/i.test(query)) expect(query, panel.title).toContain(`tz('${REPORTING_TIME_ZONE}')`);
      }
    }
  });

  it.each(dashboards.map((d) => [d.uid!, d] as const))('%s: uses only the variables it defines, each defined before the ones that depend on it', (_uid, d) => {
    const variables = d.templating.list ?? [];
    const names = variables.map((v) => v.name);
    variables.forEach((v, i) => {
      for (const used of variablesIn(typeof v.query === 'string' ? v.query : '')) expect(names.slice(0, i), `${v.name} uses $${used}`).toContain(used);
    });
    for (const panel of panelsOf(d)) {
      const texts = [panel.title ?? '', ...((panel.targets ?? []) as Target[]).map((t) => t.query ?? t.expr ?? '')];
      for (const used of texts.flatMap(variablesIn)) expect(names, `${panel.title} uses $${used}`).toContain(used);
    }
  });

  it('chain region → enterprise → site as the issue asks', () => {
    const enterprise = dashboards.find((d) => d.uid === 'meterline-enterprise-energy')!;
    const byName = new Map((enterprise.templating.list ?? []).map((v) => [v.name, v.query]));
    expect(byName.get('region')).toBe('SHOW TAG VALUES FROM "standard_coal" WITH KEY = "region"');
    expect(byName.get('enterprise')).toBe('SHOW TAG VALUES FROM "standard_coal" WITH KEY = "enterprise" WHERE "region" =~ /^(?:$region)$/');
    expect(byName.get('site')).toBe('SHOW TAG VALUES FROM "consumption" WITH KEY = "site" WHERE "enterprise" =~ /^(?:$enterprise)$/');
  });
});
