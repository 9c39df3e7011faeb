import type { FastifyBaseLogger } from 'fastify';
import type { OnUnreadable } from '@meterline/series';

/** A stored row that does not read is left out of the answer and logged: the rest still answers. */
export const logUnreadable =
  (log: FastifyBaseLogger): OnUnreadable =>
  (row) =>
    log.warn({ measurement: row.measurement, tags: row.tags, timestampMs: row.timestampMs, reason: row.reason }, 'a stored row is unreadable: left out');
