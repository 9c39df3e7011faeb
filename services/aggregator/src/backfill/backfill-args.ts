import type { PeriodKind } from '@meterline/domain';

const BACKFILL_KINDS = ['quarter-hour', 'hour', 'day', 'month'] as const satisfies readonly PeriodKind[];

export interface BackfillArgs {
  /** Local dates, both included. */
  from: string;
  to: string;
  enterprises: string[];
  kinds: PeriodKind[];
}

export const BACKFILL_USAGE = `usage: meterline aggregate --from <YYYY-MM-DD> --to <YYYY-MM-DD> [--enterprise <id>]... [--kinds quarter-hour,hour,day,month]

Computes and publishes the figures of every closed period from the start of --from to the
end of --to (local dates of each enterprise), compares them with what was published and
restates what changed. Reads MTL_* settings like the aggregator service (MTL_INFLUX_URL,
MTL_INFLUX_TOKEN, MTL_INFLUX_DATABASE, MTL_KAFKA_BROKERS, MTL_REGISTRY_FILE, ...).
Interrupted (Ctrl-C), it finishes the day in hand; running it again completes the work.`;

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const isDate = (s: string) => {
  const m = DATE.exec(s);
  if (!m) return false;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return d.getUTCMonth() === Number(m[2]) - 1 && d.getUTCDate() === Number(m[3]);
};

/** Parses `aggregate` arguments; returns every problem found, not just the first. */
export function parseBackfillArgs(argv: readonly string[]): { ok: true; args: BackfillArgs } | { ok: false; errors: string[] } {
  const errors: string[] = [];
  const values: Record<string, string> = {};
  const enterprises: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (!['--from', '--to', '--enterprise', '--kinds'].includes(a)) {
      errors.push(`unknown argument "${a}"`);
      continue;
    }
    const v = argv[i + 1];
    // A flag where a value should be is reported, and then read as the flag it is.
    if (v === undefined || v.startsWith('--')) {
      errors.push(`${a} needs a value`);
      continue;
    }
    i++;
    if (a === '--enterprise') enterprises.push(v);
    else values[a] = v;
  }
  for (const flag of ['--from', '--to']) {
    const v = values[flag];
    if (v === undefined) errors.push(`${flag} is required`);
    else if (!isDate(v)) errors.push(`${flag} must be a date YYYY-MM-DD, got "${v}"`);
  }
  if (values['--from'] && values['--to'] && isDate(values['--from']) && isDate(values['--to']) && values['--from'] > values['--to']) {
    errors.push(`--from ${values['--from']} is after --to ${values['--to']}`);
  }
  const kinds = (values['--kinds'] ?? BACKFILL_KINDS.join(',')).split(',').map((k) => k.trim());
  const unknown = kinds.filter((k) => !(BACKFILL_KINDS as readonly string[]).includes(k));
  if (unknown.length > 0) errors.push(`--kinds takes ${BACKFILL_KINDS.join(', ')}; unknown: ${unknown.join(', ')}`);
  if (errors.length > 0) return { ok: false, errors };
  return { ok: true, args: { from: values['--from']!, to: values['--to']!, enterprises, kinds: kinds as PeriodKind[] } };
}
