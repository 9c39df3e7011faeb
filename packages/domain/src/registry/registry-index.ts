import type { Device, Enterprise, Manifest, MeteringPoint, Site } from './manifest-schema.ts';

interface PointLocation {
  enterpriseId: string;
  siteId: string;
  point: MeteringPoint;
}

interface DeviceLocation {
  enterpriseId: string;
  device: Device;
}

export interface RegistryIndex {
  enterprise(enterpriseId: string): Enterprise | undefined;
  site(siteId: string): { enterpriseId: string; site: Site } | undefined;
  device(deviceId: string): DeviceLocation | undefined;
  point(pointId: string): PointLocation | undefined;
  /** True when the manifest lists the metering point under the device (the ingest authorisation rule). */
  mayReport(deviceId: string, pointId: string): boolean;
  /** Direct children of a point in the metering topology. */
  children(pointId: string): MeteringPoint[];
  /**
   * The point and unit a Sparkplug edge node's metric reads (the node is the device of that id;
   * `sparkplugDevice` absent for the node's own metrics), or undefined when the registry maps none.
   */
  sparkplugMetric(deviceId: string, sparkplugDevice: string | undefined, metric: string): SparkplugMetricMapping | undefined;
  /** Whether the registry maps any metric of this Sparkplug device under the node of that device id. */
  hasSparkplugDevice(deviceId: string, sparkplugDevice: string): boolean;
}

interface SparkplugMetricMapping {
  pointId: string;
  /** The unit the metric's values are in. */
  unit: string;
}

const sparkplugKey = (deviceId: string, sparkplugDevice: string | undefined, metric: string) => JSON.stringify([deviceId, sparkplugDevice ?? null, metric]);

/** Builds lookup tables over a validated manifest (parseManifest guarantees unique ids). */
export function indexRegistry(manifest: Manifest): RegistryIndex {
  const enterprises = new Map<string, Enterprise>();
  const sites = new Map<string, { enterpriseId: string; site: Site }>();
  const points = new Map<string, PointLocation>();
  const devices = new Map<string, DeviceLocation & { points: ReadonlySet<string> }>();
  const children = new Map<string, MeteringPoint[]>();
  const sparkplug = new Map<string, SparkplugMetricMapping>();
  const sparkplugDevices = new Set<string>();
  for (const enterprise of manifest.enterprises) {
    enterprises.set(enterprise.id, enterprise);
    for (const site of enterprise.sites) {
      sites.set(site.id, { enterpriseId: enterprise.id, site });
      for (const point of site.meteringPoints) {
        points.set(point.id, { enterpriseId: enterprise.id, siteId: site.id, point });
        const parent = point.topology.parent;
        if (parent !== undefined) children.set(parent, [...(children.get(parent) ?? []), point]);
      }
    }
    for (const device of enterprise.devices) {
      devices.set(device.id, { enterpriseId: enterprise.id, device, points: new Set(device.meteringPoints) });
      for (const m of device.sparkplug?.metrics ?? []) {
        sparkplug.set(sparkplugKey(device.id, m.device, m.metric), { pointId: m.point, unit: m.unit });
        if (m.device !== undefined) sparkplugDevices.add(JSON.stringify([device.id, m.device]));
      }
    }
  }
  return {
    enterprise: (id) => enterprises.get(id),
    site: (id) => sites.get(id),
    device: (id) => {
      const d = devices.get(id);
      return d ? { enterpriseId: d.enterpriseId, device: d.device } : undefined;
    },
    point: (id) => points.get(id),
    mayReport: (deviceId, pointId) => {
      const d = devices.get(deviceId);
      // Both must exist and belong to one enterprise; the manifest check guarantees the latter.
      return d !== undefined && d.points.has(pointId) && points.get(pointId)?.enterpriseId === d.enterpriseId;
    },
    children: (id) => [...(children.get(id) ?? [])],
    sparkplugMetric: (deviceId, sparkplugDevice, metric) => sparkplug.get(sparkplugKey(deviceId, sparkplugDevice, metric)),
    hasSparkplugDevice: (deviceId, sparkplugDevice) => sparkplugDevices.has(JSON.stringify([deviceId, sparkplugDevice])),
  };
}
