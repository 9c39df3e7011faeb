import { expect, it } from 'vitest';
import { parseBackfillArgs } from '../src/backfill/backfill-args.ts';

it('reads the range, repeated enterprises and the period kinds', () => {
  expect(parseBackfillArgs(['--from', '2026-02-01', '--to', '2026-02-28', '--enterprise', 'a', '--enterprise', 'b', '--kinds', 'day,month'])).toEqual({
    ok: true,
    args: { from: '2026-02-01', to: '2026-02-28', enterprises: ['a', 'b'], kinds: ['day', 'month'] },
  });
  const all = parseBackfillArgs(['--from', '2026-02-01', '--to', '2026-02-01']);
  expect(all.ok && all.args.kinds).toEqual(['quarter-hour', 'hour', 'day', 'month']);
});

it('lists every problem at once, each naming its argument', () => {
  const r = parseBackfillArgs(['--from', '2026-02-30', '--kinds', 'week', '--enterprise', '--verbose']);
  expect(r.ok).toBe(false);
  expect(!r.ok && r.errors).toEqual([
    '--enterprise needs a value',
    'unknown argument "--verbose"',
    '--from must be a date YYYY-MM-DD, got "2026-02-30"',
    '--to is required',
    '--kinds takes quarter-hour, hour, day, month; unknown: week',
  ]);
  const reversed = parseBackfillArgs(['--from', '2026-03-02', '--to', '2026-03-01']);
  expect(!reversed.ok && reversed.errors).toEqual(['--from 2026-03-02 is after --to 2026-03-01']);
});
