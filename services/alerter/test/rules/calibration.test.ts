import { expect, it } from 'vitest';
import type { Enterprise } from '@meterline/domain';
import { fleetManifest } from '@meterline/simulator';
import { DEFAULT_RULES } from '../../src/alerting-config.ts';
import { calibration } from '../../src/rules/calibration.ts';

const base = fleetManifest({ enterprises: 1, devicesPerEnterprise: 1, pointsPerDevice: 1, prefix: 'cal' }).enterprises[0]!;
const withValidity = (validUntil: string): Enterprise => ({
  ...base,
  sites: base.sites.map((s) => ({ ...s, meteringPoints: s.meteringPoints.map((p) => ({ ...p, calibration: { ...p.calibration, validUntil } })) })),
});
const settings = { ...DEFAULT_RULES.calibration, leadDays: 30 };
const judge = (validUntil: string, at: string) => Object.fromEntries(calibration(withValidity(validUntil), Date.parse(at), settings).map((c) => [c.rule, c]));

it('is valid through the last local day of the certificate and expired from the next local midnight (Asia/Shanghai, UTC+8)', () => {
  // 2026-12-31 ends at 2027-01-01T00:00+08:00 = 2026-12-31T16:00Z.
  expect(judge('2026-12-31', '2026-12-31T15:59:59Z')['calibration-expired']!.holds).toBe(false);
  expect(judge('2026-12-31', '2026-12-31T16:00:00Z')).toMatchObject({
    'calibration-expired': { holds: true, sinceMs: Date.parse('2026-12-31T16:00:00Z') },
    'calibration-expiring': { holds: false },
  });
});

it('is expiring within the lead time, counting the days left', () => {
  expect(judge('2026-12-31', '2026-12-01T15:59:59Z')['calibration-expiring']!.holds).toBe(false);
  expect(judge('2026-12-31', '2026-12-01T16:00:00Z')['calibration-expiring']).toMatchObject({ holds: true, value: 30, threshold: 30 });
  expect(judge('2026-12-31', '2026-12-30T16:00:00Z')['calibration-expiring']).toMatchObject({ holds: true, value: 1 });
});
