import { errorCatalogue } from '@meterline/errors';

export const SERIES_ERRORS = errorCatalogue('@meterline/series', {
  MTL_DEVICE_SEQUENCE_STATE_UNREADABLE: { meaning: "A device's stored sequence state does not read: it is reported and the device starts again as if first seen", retryable: false },
});
