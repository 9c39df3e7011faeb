import type { PeriodKind } from '@meterline/domain';

/** Sub-periods `--by` can split a period into, shortest first. */
export const BY_KINDS = ['quarter-hour', 'hour', 'day', 'month'] as const;
export type ByKind = (typeof BY_KINDS)[number];

const KIND_ORDER: readonly PeriodKind[] = [...BY_KINDS, 'year'];
const kindOfKey = (key: string): PeriodKind => (key.length === 4 ? 'year' : key.length === 7 ? 'month' : 'day');

export interface AccountArgs {
  manifest: string;
  readings: string;
  period: string;
  format: 'json' | 'table';
  equalValue: boolean;
  estimateGaps: boolean;
  enterprise?: string;
  by?: ByKind;
}

export const USAGE = `usage: meterline account --manifest <file> --readings <csv> --period <YYYY|YYYY-MM|YYYY-MM-DD>
                         [--by quarter-hour|hour|day|month] [--format json|table] [--enterprise <id>]
                         [--equal-value] [--estimate-gaps]`;

/** Parses `account` arguments; returns every problem found, not just the first. */
export function parseAccountArgs(argv: readonly string[]): { ok: true; args: AccountArgs } | { ok: false; errors: string[] } {
  const errors: string[] = [];
  const values: Record<string, string> = {};
  const flags = new Set<string>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--equal-value' || a === '--estimate-gaps') {
      flags.add(a);
    } else if (['--manifest', '--readings', '--period', '--by', '--format', '--enterprise'].includes(a)) {
      const v = argv[i + 1];
      if (v === undefined || v.startsWith('--')) errors.push(`${a} needs a value`);
      else values[a] = v;
      i++;
    } else {
      errors.push(`unknown argument "${a}"`);
    }
  }
  for (const required of ['--manifest', '--readings', '--period']) if (!values[required]) errors.push(`${required} is required`);
  const format = values['--format'] ?? 'table';
  if (format !== 'json' && format !== 'table') errors.push(`--format must be json or table, got "${format}"`);
  const period = values['--period'];
  const periodOk = period !== undefined && /^\d{4}(-\d{2}(-\d{2})?)?$/.test(period);
  if (period && !periodOk) errors.push(`--period must be YYYY, YYYY-MM or YYYY-MM-DD, got "${period}"`);
  const by = BY_KINDS.find((k) => k === values['--by']);
  if (values['--by'] !== undefined && by === undefined) errors.push(`--by must be ${BY_KINDS.join(', ')}, got "${values['--by']}"`);
  if (by !== undefined && periodOk) {
    const kind = kindOfKey(period);
    if (KIND_ORDER.indexOf(by) > KIND_ORDER.indexOf(kind)) errors.push(`--by ${by} is longer than the period ${period} (a ${kind})`);
  }
  if (errors.length > 0) return { ok: false, errors };
  return {
    ok: true,
    args: {
      manifest: values['--manifest']!,
      readings: values['--readings']!,
      period: values['--period']!,
      format: format as 'json' | 'table',
      equalValue: flags.has('--equal-value'),
      estimateGaps: flags.has('--estimate-gaps'),
      ...(values['--enterprise'] ? { enterprise: values['--enterprise'] } : {}),
      ...(by ? { by } : {}),
    },
  };
}
