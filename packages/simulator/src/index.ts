export { Fleet, type FleetOptions, type PayloadFault, type PlannedPayload } from './fleet.ts';
export { fleetManifest, type FleetShape } from './fleet-manifest.ts';
export { connectFleet, type FleetConnection, type PublishOutcome } from './publisher.ts';
export { loadFactor } from './load-profile.ts';
export { formatWithOffset } from './format-time.ts';
export { seededRandom } from './random.ts';
