export interface AccountArgs {
  manifest: string;
  readings: string;
  period: string;
  format: 'json' | 'table';
  equalValue: boolean;
  estimateGaps: boolean;
  enterprise?: string;
}

export const USAGE = `usage: meterline account --manifest <file> --readings <csv> --period <YYYY|YYYY-MM|YYYY-MM-DD>
                         [--format json|table] [--enterprise <id>] [--equal-value] [--estimate-gaps]`;

/** Parses `account` arguments; returns every problem found, not just the first. */
export function parseAccountArgs(argv: readonly string[]): { ok: true; args: AccountArgs } | { ok: false; errors: string[] } {
  const errors: string[] = [];
  const values: Record<string, string> = {};
  const flags = new Set<string>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--equal-value' || a === '--estimate-gaps') {
      flags.add(a);
    } else if (['--manifest', '--readings', '--period', '--format', '--enterprise'].includes(a)) {
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
  if (values['--period'] && !/^\d{4}(-\d{2}(-\d{2})?)?$/.test(values['--period'])) {
    errors.push(`--period must be YYYY, YYYY-MM or YYYY-MM-DD, got "${values['--period']}"`);
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
    },
  };
}
