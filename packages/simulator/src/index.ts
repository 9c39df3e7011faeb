export { Fleet, type PayloadFault, type PlannedPayload } from './fleet.ts';
export { fleetManifest } from './fleet-manifest.ts';
export { DEVICE_RECONNECT_BACKOFF, connectFleet, reconnectWithBackoff, type FleetConnection, type ReconnectBackoff, type PublishOutcome } from './publisher.ts';
export { formatWithOffset } from './format-time.ts';
export { FABRICATION_PATTERNS, generateMeteringFleet, injectFabrication, planInjections, type FabricationPattern, type MeteringFleet, type SimulatedPointSeries } from './fabrication.ts';
