export { Fleet, type PayloadFault, type PlannedPayload } from './fleet.ts';
export { fleetManifest } from './fleet-manifest.ts';
export { connectFleet, type FleetConnection, type PublishOutcome } from './publisher.ts';
export { formatWithOffset } from './format-time.ts';
