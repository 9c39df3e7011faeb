import { errorCatalogue } from '@meterline/errors';

export const CONTRACTS_ERRORS = errorCatalogue('@meterline/contracts', {
  MTL_CONTRACTS_RECORD_UNREADABLE: { meaning: 'A Kafka record is not JSON or not of its schema, read where that is a fault (a test, a tool); services dead-letter or skip such records and count them', retryable: false },
  MTL_CONTRACTS_NOT_I_JSON: { meaning: 'A value has no RFC 8785 canonical form (a non-finite number, a lone surrogate): it cannot be hashed or signed', retryable: false },
});

export type ContractsErrorCode = (typeof CONTRACTS_ERRORS.codes)[number];
