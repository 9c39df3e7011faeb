import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { validateMqttPayload } from '@meterline/contracts';
import { parseInstant, parseManifest } from '@meterline/domain';
import { Fleet, fleetManifest, formatWithOffset } from '../src/index.ts';

const T0 = Date.UTC(2026, 2, 2, 0, 0); // Monday 08:00 in UTC+8
const QUARTER = 900_000;

describe('simulated fleet', () => {
  const manifest = fleetManifest({ enterprises: 2, devicesPerEnterprise: 3, pointsPerDevice: 4, prefix: 't' });

  it('generates a manifest the registry accepts', () => {
    const parsed = parseManifest(stringify(manifest), 'fleet.yaml');
    expect(parsed.ok ? [] : parsed.errors).toEqual([]);
  });

  it('publishes valid payloads whose registers never go backwards', () => {
    const fleet = new Fleet(manifest, { seed: 7 });
    const last = new Map<string, number>();
    for (let i = 0; i < 96; i++) {
      const payloads = fleet.tick(T0 + i * QUARTER, QUARTER);
      expect(payloads).toHaveLength(6);
      for (const p of payloads) {
        expect(validateMqttPayload(JSON.parse(p.bytes.toString())).ok).toBe(true);
        for (const r of p.readings) {
          expect(r.value).toBeGreaterThanOrEqual(last.get(r.point) ?? 0);
          last.set(r.point, r.value);
        }
      }
    }
  });

  it('draws more in working hours than at night', () => {
    const fleet = new Fleet(manifest, { seed: 7 });
    const register = (payloads: ReturnType<Fleet['tick']>) => payloads[0]!.readings[0]!.value;
    const atMidnight = register(fleet.tick(T0 - 8 * 3_600_000, QUARTER));
    const after = register(fleet.tick(T0 - 8 * 3_600_000 + QUARTER, QUARTER));
    const atTen = register(fleet.tick(T0 + 2 * 3_600_000, QUARTER));
    const afterTen = register(fleet.tick(T0 + 2 * 3_600_000 + QUARTER, QUARTER));
    expect(afterTen - atTen).toBeGreaterThan(after - atMidnight);
  });

  it('splits a device into single-reading payloads on request', () => {
    const fleet = new Fleet(manifest, { readingsPerPayload: 1 });
    const payloads = fleet.tick(T0, QUARTER);
    expect(payloads).toHaveLength(24);
    expect(JSON.parse(payloads[0]!.bytes.toString())).not.toHaveProperty('readings');
  });

  it('stamps readings with the meters’ offset', () => {
    expect(formatWithOffset(T0, 480)).toBe('2026-03-02T08:00:00+08:00');
    expect(formatWithOffset(T0, -90)).toBe('2026-03-01T22:30:00-01:30');
  });

  it('keeps the milliseconds of an instant between seconds', () => {
    expect(formatWithOffset(Date.UTC(2026, 2, 1, 0, 15, 0, 5), 480)).toBe('2026-03-01T08:15:00.005+08:00');
    expect(formatWithOffset(Date.UTC(2026, 2, 1, 0, 15, 59, 999), -330)).toBe('2026-02-28T18:45:59.999-05:30');
    // Read back, the text is the instant it was made from (parseInstant is what ingest and the CLI read with).
    const instant = Date.UTC(2026, 2, 1, 4, 29, 59, 800);
    expect(parseInstant(formatWithOffset(instant, 480))).toBe(instant);
  });
});
