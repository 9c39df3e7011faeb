import type { Manifest } from '@meterline/domain';

export interface FleetShape {
  enterprises: number;
  /** Devices per enterprise; each enterprise has one site, and every device its own points. */
  devicesPerEnterprise: number;
  pointsPerDevice: number;
  /** Prefix of every id, so tests can run fleets side by side. */
  prefix?: string;
}

/**
 * A registry manifest for a synthetic fleet of electricity meters: per enterprise one main
 * meter (boundary input) reported by the first device, and sub-meters under it.
 */
export function fleetManifest(shape: FleetShape): Manifest {
  const prefix = shape.prefix ?? 'sim';
  const enterprises = Array.from({ length: shape.enterprises }, (_, e) => {
    const ent = `${prefix}-e${e}`;
    const devices = Array.from({ length: shape.devicesPerEnterprise }, (_, d) => ({
      id: `${ent}-d${d}`,
      kind: shape.pointsPerDevice > 1 ? ('gateway' as const) : ('meter' as const),
      meteringPoints: Array.from({ length: shape.pointsPerDevice }, (_, p) => `${ent}-d${d}-p${p}`),
    }));
    const points = devices.flatMap((device, d) =>
      device.meteringPoints.map((id, p) => ({
        id,
        carrier: 'electricity' as const,
        quantity: 'active-energy-import' as const,
        unit: 'kWh',
        registerMax: 100_000_000,
        accuracyClass: d === 0 && p === 0 ? 0.5 : 1,
        maxPower: { value: d === 0 && p === 0 ? 5_000 : 500, unit: 'kW' },
        calibration: { certificate: `${id}-cal`, validFrom: '2024-01-01', validUntil: '2030-12-31' },
        topology: d === 0 && p === 0 ? { role: 'boundary-input' as const } : { role: 'sub-meter' as const, parent: `${ent}-d0-p0` },
      })),
    );
    return {
      id: ent,
      name: `Simulated enterprise ${e}`,
      region: 'CN-CQ',
      gridRegion: 'southwest' as const,
      timeZone: 'Asia/Shanghai',
      factorSet: { name: 'cn-2023', version: '1.0.0' },
      scope2Level: 'provincial' as const,
      sites: [{ id: `${ent}-s0`, name: 'Main site', meteringPoints: points }],
      devices,
    };
  });
  return { version: 1, enterprises };
}
