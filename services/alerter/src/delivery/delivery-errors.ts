import { errorCatalogue } from '@meterline/errors';

export const ALERTER_ERRORS = errorCatalogue('@meterline/alerter', {
  MTL_ALERTER_DELIVERY_ABANDONED: { meaning: 'The dispatcher stopped on a batch before every notification in it was done (closing, the partition moved, another notification failed): the batch comes again', retryable: true },
});

/**
 * The dispatcher stopped working on a batch before every notification in it was done
 * (closing, the partition went to another consumer, or another notification of the batch
 * failed): the batch is refused and comes again. Retrying later helps by design.
 */
export class DeliveryAbandonedError extends Error {
  override readonly name = 'DeliveryAbandonedError';
  readonly code = 'MTL_ALERTER_DELIVERY_ABANDONED' satisfies (typeof ALERTER_ERRORS.codes)[number];
  readonly canRetry = ALERTER_ERRORS.canRetry(this.code);
}
