import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { stringify } from 'yaml';
import { parseManifest, type ManifestIssue } from '../../src/index.ts';

const demoPath = fileURLToPath(new URL('../../examples/demo-manifest.yaml', import.meta.url));
const demo = readFileSync(demoPath, 'utf8');

function minimal(): Record<string, unknown> {
  return {
    version: 1,
    enterprises: [
      {
        id: 'e1', name: 'E1', region: 'CN-CQ', gridRegion: 'southwest', timeZone: 'Asia/Shanghai',
        factorSet: { name: 'cn-2023', version: '1.0.0' }, scope2Level: 'provincial',
        sites: [
          {
            id: 's1', name: 'S1',
            meteringPoints: [
              { id: 'p-main', carrier: 'electricity', quantity: 'active-energy-import', unit: 'kWh', accuracyClass: 0.5,
                calibration: { certificate: 'C1', validFrom: '2024-01-01', validUntil: '2029-12-31' }, topology: { role: 'boundary-input' } },
              { id: 'p-sub', carrier: 'electricity', quantity: 'active-energy-import', unit: 'kWh', accuracyClass: 1,
                calibration: { certificate: 'C2', validFrom: '2024-01-01', validUntil: '2029-12-31' }, topology: { role: 'sub-meter', parent: 'p-main' } },
            ],
          },
        ],
        devices: [{ id: 'gw-1', kind: 'gateway', meteringPoints: ['p-main', 'p-sub'] }],
      },
    ],
  };
}

type Json = Record<string, unknown> | unknown[];
function mutate(at: string, value: unknown): string {
  const m = minimal();
  const keys = at.split('/').slice(1);
  let node = m as Json;
  for (const k of keys.slice(0, -1)) node = (node as Record<string, Json>)[k]!;
  const last = keys[keys.length - 1]!;
  if (value === undefined) delete (node as Record<string, unknown>)[last];
  else (node as Record<string, unknown>)[last] = value;
  return JSON.stringify(m, null, 2);
}

function issuesOf(text: string): ManifestIssue[] {
  const r = parseManifest(text, 'm.json');
  if (r.ok) throw new Error('expected the manifest to be rejected');
  return r.errors;
}

describe('parseManifest', () => {
  it('accepts the demo manifest (YAML) and a JSON manifest', () => {
    const r = parseManifest(demo, 'demo-manifest.yaml');
    expect(r.ok ? [] : r.errors).toEqual([]);
    if (r.ok) {
      expect(r.manifest.enterprises.map((e) => e.id)).toEqual(['cq-autoparts', 'js-textile']);
      expect(r.manifest.enterprises[0]!.sites[0]!.meteringPoints[0]!.multiplier).toBe(40);
    }
    expect(parseManifest(JSON.stringify(minimal()), 'm.json').ok).toBe(true);
  });

  it('names the JSON path, line and expected values of a bad unit', () => {
    const text = mutate('/enterprises/0/sites/0/meteringPoints/1/unit', 'm3');
    const [issue, ...rest] = issuesOf(text);
    expect(rest).toEqual([]);
    expect(issue!.path).toBe('/enterprises/0/sites/0/meteringPoints/1/unit');
    expect(issue!.code).toBe('MTL_DOMAIN_MANIFEST_UNIT_MISMATCH');
    expect(issue!.message).toContain('kWh');
    expect(issue!.source).toBe('m.json');
    // The line really holds the field.
    expect(text.split('\n')[issue!.line! - 1]).toContain('"m3"');
  });

  it('accepts the reading intervals it documents and refuses others at their line (issue 15)', () => {
    const at = '/enterprises/0/sites/0/meteringPoints/1/expectedInterval';
    for (const ok of ['PT1M', 'PT15M', 'PT59M', 'PT1H', 'PT1H30M', 'PT90M', 'PT24H', 'P1D', 'P1M']) {
      expect(parseManifest(mutate(at, ok), 'm.json').ok, ok).toBe(true);
    }
    for (const bad of ['15M', 'PT0M', 'PT30S', 'PT25H', 'P2D', 'P1W', 'P1Y', 'PT', 'pt15m']) {
      const text = mutate(at, bad);
      const issues = issuesOf(text);
      expect(issues.map((i) => [i.path, i.code]), bad).toEqual([[at, 'MTL_DOMAIN_MANIFEST_INVALID_VALUE']]);
      expect(issues[0]!.message).toContain('PT1M to PT24H');
      expect(text.split('\n')[issues[0]!.line! - 1]).toContain(`"expectedInterval": "${bad}"`);
    }
  });

  it('lists allowed values for a bad enum and reports a missing field at its path', () => {
    const bad = issuesOf(mutate('/enterprises/0/gridRegion', 'west'));
    expect(bad[0]!.path).toBe('/enterprises/0/gridRegion');
    expect(bad[0]!.message).toContain('north, northeast, east, central, northwest, south, southwest');
    const missing = issuesOf(mutate('/enterprises/0/sites/0/meteringPoints/0/accuracyClass', undefined));
    expect(missing.map((i) => i.path)).toEqual(['/enterprises/0/sites/0/meteringPoints/0/accuracyClass']);
    expect(missing[0]!.message).toContain('missing');
  });

  it('rejects unknown properties (typos) at their path', () => {
    const issues = issuesOf(mutate('/enterprises/0/sites/0/meteringPoints/0/mulitplier', 40));
    expect(issues.map((i) => i.path)).toEqual(['/enterprises/0/sites/0/meteringPoints/0/mulitplier']);
  });

  it('rejects ids that are not MQTT topic levels', () => {
    for (const id of ['gw/1', 'gw+', '#', '-x', 'a'.repeat(65), '']) {
      const issues = issuesOf(mutate('/enterprises/0/devices/0/id', id));
      expect(issues[0]!.path).toBe('/enterprises/0/devices/0/id');
    }
  });

  it('finds duplicate ids, missing parents and foreign device points', () => {
    const m = minimal() as { enterprises: Array<Record<string, unknown>> };
    const e0 = m.enterprises[0]!;
    const e1 = structuredClone(e0);
    e1.id = 'e2';
    (e1.sites as Array<{ id: string; meteringPoints: Array<{ id: string; topology: { parent?: string } }> }>)[0]!.id = 's2';
    const pts = (e1.sites as Array<{ meteringPoints: Array<{ id: string; topology: { parent?: string } }> }>)[0]!.meteringPoints;
    pts[0]!.id = 'q-main';
    pts[1]!.id = 'p-main'; // duplicate across enterprises
    pts[1]!.topology.parent = 'nowhere';
    e1.devices = [{ id: 'gw-2', kind: 'meter', meteringPoints: ['p-sub'] }]; // p-sub belongs to e1
    m.enterprises.push(e1);
    const issues = issuesOf(JSON.stringify(m));
    const byPath = Object.fromEntries(issues.map((i) => [i.path, i.code]));
    expect(byPath).toEqual({
      '/enterprises/1/sites/0/meteringPoints/1/id': 'MTL_DOMAIN_MANIFEST_DUPLICATE_ID',
      '/enterprises/1/sites/0/meteringPoints/1/topology/parent': 'MTL_DOMAIN_MANIFEST_UNKNOWN_REFERENCE',
      '/enterprises/1/devices/0/meteringPoints/0': 'MTL_DOMAIN_MANIFEST_UNKNOWN_REFERENCE',
    });
  });

  it('rejects a quantity the carrier is not metered by, a bad time zone and impossible dates', () => {
    expect(issuesOf(mutate('/enterprises/0/sites/0/meteringPoints/1/carrier', 'diesel')).map((i) => i.path)).toContain(
      '/enterprises/0/sites/0/meteringPoints/1/quantity',
    );
    expect(issuesOf(mutate('/enterprises/0/timeZone', 'Asia/Chongqin'))[0]!.path).toBe('/enterprises/0/timeZone');
    expect(issuesOf(mutate('/enterprises/0/sites/0/meteringPoints/0/calibration/validUntil', '2029-02-30'))[0]!.path).toBe(
      '/enterprises/0/sites/0/meteringPoints/0/calibration/validUntil',
    );
  });

  it('rejects a sub-meter without parent and a topology cycle', () => {
    expect(issuesOf(mutate('/enterprises/0/sites/0/meteringPoints/1/topology', { role: 'sub-meter' }))[0]!.path).toBe(
      '/enterprises/0/sites/0/meteringPoints/1/topology/parent',
    );
    const cyc = issuesOf(mutate('/enterprises/0/sites/0/meteringPoints/0/topology', { role: 'equipment', parent: 'p-sub' }));
    expect(cyc.some((i) => i.message.includes('cycle'))).toBe(true);
  });

  it('reports YAML syntax errors with a line', () => {
    const issues = issuesOf('version: 1\nenterprises:\n  - id: [unclosed\n');
    expect(issues[0]!.code).toBe('MTL_DOMAIN_MANIFEST_SYNTAX');
    expect(issues[0]!.line).toBeGreaterThanOrEqual(3);
  });

  it('refuses a JSON manifest that names a member twice, at the line of the repeat, and reads the same data from JSON as from YAML', () => {
    const text = JSON.stringify(minimal(), null, 2).replace('"version": 1,', '"version": 1,\n  "version": 2,');
    const issues = issuesOf(text);
    expect(issues[0]!.code).toBe('MTL_DOMAIN_MANIFEST_SYNTAX');
    expect(text.split('\n')[issues[0]!.line! - 1]).toContain('"version": 2');
    const fromJson = parseManifest(JSON.stringify(minimal()), 'm.json');
    const fromYaml = parseManifest(stringify(minimal()), 'm.yaml');
    if (!fromJson.ok || !fromYaml.ok) throw new Error('expected both forms to be accepted');
    expect(fromJson.manifest).toEqual(fromYaml.manifest);
  });

  it('rejects a max power that is not a rate of the unit', () => {
    const issues = issuesOf(mutate('/enterprises/0/sites/0/meteringPoints/0/maxPower', { value: 10, unit: 'm3/h' }));
    expect(issues.map((i) => i.path)).toEqual(['/enterprises/0/sites/0/meteringPoints/0/maxPower/unit']);
  });
});
