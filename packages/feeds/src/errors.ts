import { errorCatalogue } from '@meterline/errors';

export const FEEDS_ERRORS = errorCatalogue('@meterline/feeds', {
  MTL_REGISTRY_INVALID: { meaning: 'The registry manifest file is not valid: the service does not start (every bad field is listed by its path)', retryable: false },
  MTL_REGISTRY_ENTRY_INVALID: { meaning: 'A registry entry no reader would apply (the domain refuses it, or its record does not decode): refused before it reaches the topic', retryable: false },
});

export type FeedsErrorCode = (typeof FEEDS_ERRORS.codes)[number];
