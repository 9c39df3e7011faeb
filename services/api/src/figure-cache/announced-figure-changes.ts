import { figureBatchCodec, restatementCodec } from '@meterline/contracts';
import type { FigureChange } from './figure-page-cache.ts';

/**
 * The aggregator's announcements of figures (services/aggregator, busFigurePublisher): each
 * restatement on its topic, then the new and changed figures in batches on the figures topic.
 * Restatements alone would miss the figures a closed period gets for the first time (its first
 * computation comes after it closes: a minute after a quarter-hour, at 00:20 for a day, or in
 * a backfill), so both are read.
 */
export interface FigureAnnouncementTopics {
  restatements: string;
  figures: string;
}

export type AnnouncedChanges = { ok: true; changes: FigureChange[] } | { ok: false; detail: string };

/** The figures one record of either topic announces; a record of another topic is no announcement. */
export function announcedChanges(topics: FigureAnnouncementTopics, topic: string, value: Buffer): AnnouncedChanges {
  if (topic === topics.restatements) {
    const decoded = restatementCodec.decode(value);
    if (!decoded.ok) return decoded;
    const { enterpriseId, measurement, periodKind, startMs } = decoded.value;
    return { ok: true, changes: [{ enterpriseId, measurement, periodKind, startMs }] };
  }
  if (topic === topics.figures) {
    const decoded = figureBatchCodec.decode(value);
    if (!decoded.ok) return decoded;
    return { ok: true, changes: decoded.value.figures.map(({ enterpriseId, measurement, periodKind, startMs }) => ({ enterpriseId, measurement, periodKind, startMs })) };
  }
  return { ok: false, detail: `topic ${topic} carries no figure announcements` };
}
