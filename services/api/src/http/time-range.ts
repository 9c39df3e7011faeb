import { STORABLE_INSTANTS } from '@meterline/contracts';
import { parseInstant } from '@meterline/domain';
import { ApiError } from '../errors.ts';

/** The half-open range [from, to) of a query, both validated instants the store can hold; `to` after `from`. */
export function timeRange(query: { from: string; to: string }): { fromMs: number; toMs: number } {
  const fromMs = parseInstant(query.from);
  const toMs = parseInstant(query.to);
  const bad = (name: string, detail: string) =>
    new ApiError('MTL_API_VALIDATION_FAILED', `query /${name}: ${detail}`, { issues: [{ in: 'query', pointer: `/${name}`, detail }] });
  if (fromMs === undefined) throw bad('from', 'is not a real instant');
  if (toMs === undefined) throw bad('to', 'is not a real instant');
  // A range the store cannot represent is the caller's mistake (400), not the store being down (503).
  const storable = `is outside the storable range ${new Date(STORABLE_INSTANTS.earliestMs).toISOString()} to ${new Date(STORABLE_INSTANTS.latestMs).toISOString()}`;
  if (fromMs < STORABLE_INSTANTS.earliestMs || fromMs > STORABLE_INSTANTS.latestMs) throw bad('from', storable);
  if (toMs < STORABLE_INSTANTS.earliestMs || toMs > STORABLE_INSTANTS.latestMs) throw bad('to', storable);
  if (toMs <= fromMs) throw bad('to', 'must be after from');
  return { fromMs, toMs };
}
