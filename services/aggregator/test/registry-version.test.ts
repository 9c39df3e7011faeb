import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { registryHash, type Json } from '@meterline/contracts';
import { parseManifest } from '@meterline/domain';
import { registryVersion } from '../src/registry-version.ts';

const parsed = parseManifest(readFileSync(new URL('../../../packages/domain/examples/demo-manifest.yaml', import.meta.url), 'utf8'), 'demo');
if (!parsed.ok) throw new Error('demo manifest invalid');

describe('registryVersion', () => {
  it('is the registry topic’s hash of the entry, shortened: a figure names the entry it was computed from', () => {
    for (const enterprise of parsed.manifest.enterprises) {
      expect(registryVersion(enterprise)).toBe(registryHash(enterprise as unknown as Json).slice(0, 16));
    }
  });

  it('stays what figures already stored carry (the hash moved to contracts for issue 6, unchanged)', () => {
    // The pins are of the demo entries before issue 15 gave the diesel tank its daily cadence and
    // before cq-autoparts declared its energy baselines: the same entries, without those fields,
    // must hash as they did.
    const { expectedInterval, ...tank } = parsed.manifest.enterprises[1]!.sites[1]!.meteringPoints[0]!;
    expect(expectedInterval).toBe('P1D');
    const { energyBaselines, ...cqAutoparts } = parsed.manifest.enterprises[0]!;
    expect(energyBaselines).toHaveLength(2);
    const jsTextile = parsed.manifest.enterprises[1]!;
    const before = [cqAutoparts, { ...jsTextile, sites: [jsTextile.sites[0]!, { ...jsTextile.sites[1]!, meteringPoints: [tank] }] }];
    expect(before.map((e) => [e.id, registryVersion(e)])).toEqual([
      ['cq-autoparts', '0ddb53dfebd5c77f'],
      ['js-textile', '40547df48419c9ee'],
    ]);
  });
});
