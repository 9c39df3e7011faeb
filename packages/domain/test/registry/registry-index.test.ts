import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { indexRegistry, parseManifest } from '../../src/index.ts';

const demo = readFileSync(fileURLToPath(new URL('../../examples/demo-manifest.yaml', import.meta.url)), 'utf8');

describe('indexRegistry', () => {
  const parsed = parseManifest(demo, 'demo-manifest.yaml');
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
  const index = indexRegistry(parsed.manifest);

  it('locates points and devices', () => {
    const p = index.point('cq-e-paint');
    expect(p?.enterpriseId).toBe('cq-autoparts');
    expect(p?.siteId).toBe('cq-plant-a');
    expect(p?.point.carrier).toBe('electricity');
    expect(index.device('js-gas-01')?.enterpriseId).toBe('js-textile');
    expect(index.point('nope')).toBeUndefined();
    expect(index.children('cq-e-main').map((c) => c.id).sort()).toEqual(['cq-e-hvac', 'cq-e-paint', 'cq-e-press']);
  });

  it('lets a device report only the points listed under it', () => {
    expect(index.mayReport('cq-gw-01', 'cq-e-main')).toBe(true);
    expect(index.mayReport('cq-gw-01', 'cq-gas-main')).toBe(false); // same enterprise, other device
    expect(index.mayReport('cq-gw-01', 'js-e-main')).toBe(false); // other enterprise
    expect(index.mayReport('ghost', 'cq-e-main')).toBe(false);
    expect(index.mayReport('cq-gas-01', 'ghost')).toBe(false);
  });
});
