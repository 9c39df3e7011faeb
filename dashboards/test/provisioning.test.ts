// What Grafana in infra/compose.yaml loads: the data sources the dashboards name, and the
// dashboards folder it mounts where the provider reads.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { buildDashboards } from '../src/dashboards.ts';

const infra = join(import.meta.dirname, '..', '..', 'infra');
const provisioning = join(infra, 'grafana', 'provisioning');
const yamlIn = (dir: string) => readdirSync(dir).filter((f) => f.endsWith('.yaml')).map((f) => parse(readFileSync(join(dir, f), 'utf8')) as Record<string, unknown>);

describe('Grafana provisioning (infra/grafana)', () => {
  it('provisions every data source the dashboards use, by uid and type', () => {
    const provisioned = yamlIn(join(provisioning, 'datasources')).flatMap((f) => f['datasources'] as Array<{ uid: string; type: string }>);
    const used = new Map<string, string>();
    const visit = (node: unknown): void => {
      if (Array.isArray(node)) return node.forEach(visit);
      if (node === null || typeof node !== 'object') return;
      const ref = (node as { datasource?: { uid?: string; type?: string } }).datasource;
      if (ref?.uid) used.set(ref.uid, ref.type ?? '');
      Object.values(node).forEach(visit);
    };
    buildDashboards().forEach(visit);
    expect([...used].sort()).toEqual([
      ['meterline-influxdb', 'influxdb'],
      ['meterline-prometheus', 'prometheus'],
    ]);
    for (const [uid, type] of used) expect(provisioned).toContainEqual(expect.objectContaining({ uid, type }));
  });

  it('mounts dashboards/build where the dashboard provider reads, and runs the Prometheus the data source names', () => {
    const [provider] = yamlIn(join(provisioning, 'dashboards')).flatMap((f) => f['providers'] as Array<{ options: { path: string } }>);
    const compose = parse(readFileSync(join(infra, 'compose.yaml'), 'utf8')) as { services: Record<string, { volumes?: string[] }> };
    expect(compose.services['grafana']?.volumes).toContain(`../dashboards/build:${provider!.options.path}:ro`);
    expect(compose.services).toHaveProperty('prometheus');
    const scrape = parse(readFileSync(join(infra, 'prometheus', 'prometheus.yml'), 'utf8')) as { scrape_configs: Array<{ static_configs: Array<{ targets: string[] }> }> };
    const targets = scrape.scrape_configs.flatMap((c) => c.static_configs.flatMap((s) => s.targets));
    expect(targets.map((t) => t.split(':')[0]).sort()).toEqual(['aggregator', 'alerter', 'ingest', 'writer']);
    for (const target of targets) expect(compose.services, target).toHaveProperty(target.split(':')[0]!);
  });
});
