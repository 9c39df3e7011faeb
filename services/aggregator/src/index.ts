export { runBackfill } from './backfill/backfill-command.ts';
export { aggregateEnterprise, type AggregationDeps, type UnitReport } from './aggregate-enterprise.ts';
export { busFigurePublisher } from './bus-figure-publisher.ts';
export { registryVersion } from './registry-version.ts';
export { writeFigures } from './figure-repository.ts';
