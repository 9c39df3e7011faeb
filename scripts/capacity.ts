/**
 * Prints the capacity model (docs/capacity.md) as a Markdown table: for the doc's worked
 * examples, or for one scale of your own.
 *
 *   pnpm exec tsx scripts/capacity.ts               the doc's scales
 *   pnpm exec tsx scripts/capacity.ts --enterprises 150 --points 220 --interval 300 --per-payload 40 [--partitions 24]
 *
 * --interval is the reading interval in seconds; --per-payload the readings a device sends in
 * one payload (1 for meters publishing their own readings, the points behind a gateway for a
 * gateway that sends them all at once).
 */
import { parseArgs } from 'node:util';
import { WORKED_EXAMPLES, capacityTable } from './capacity-model.ts';

const { values } = parseArgs({
  options: {
    enterprises: { type: 'string' },
    points: { type: 'string' },
    interval: { type: 'string' },
    'per-payload': { type: 'string' },
    partitions: { type: 'string' },
  },
});

if (values.enterprises === undefined) {
  console.log(capacityTable(WORKED_EXAMPLES));
} else {
  const number = (name: string, text: string | undefined, fallback?: number): number => {
    const value = text === undefined ? fallback : Number(text);
    if (value === undefined || !Number.isFinite(value) || value <= 0) {
      console.error(`capacity: --${name} must be a positive number`);
      process.exit(64);
    }
    return value;
  };
  const partitions = values.partitions === undefined ? undefined : number('partitions', values.partitions);
  console.log(
    capacityTable([
      {
        name: 'your scale',
        enterprises: number('enterprises', values.enterprises),
        pointsPerEnterprise: number('points', values.points),
        intervalSeconds: number('interval', values.interval),
        readingsPerPayload: number('per-payload', values['per-payload'], 1),
        ...(partitions === undefined ? {} : { readingsPartitions: partitions }),
      },
    ]),
  );
}
