import { parseInstant } from '@meterline/contracts';
import { ApiError } from '../errors.ts';

/** The half-open range [from, to) of a query, both validated instants; `to` after `from`. */
export function timeRange(query: { from: string; to: string }): { fromMs: number; toMs: number } {
  const fromMs = parseInstant(query.from);
  const toMs = parseInstant(query.to);
  const bad = (name: string, detail: string) =>
    new ApiError('MTL_API_VALIDATION_FAILED', `query /${name}: ${detail}`, { issues: [{ in: 'query', pointer: `/${name}`, detail }] });
  if (fromMs === undefined) throw bad('from', 'is not a real instant');
  if (toMs === undefined) throw bad('to', 'is not a real instant');
  if (toMs <= fromMs) throw bad('to', 'must be after from');
  return { fromMs, toMs };
}
