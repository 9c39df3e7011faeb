import { errorCatalogue } from '@meterline/errors';

/**
 * The closed list of domain error codes. Codes are stable: callers match on `code`,
 * never on message text. Domain errors are never retryable: the inputs are wrong.
 */
export const DOMAIN_ERRORS = errorCatalogue('@meterline/domain', {
  MTL_DOMAIN_UNKNOWN_UNIT: { meaning: 'A unit is not one the domain knows (kWh, MWh, m³, t, GJ, …)', retryable: false },
  MTL_DOMAIN_INCOMPATIBLE_UNITS: { meaning: 'A value cannot be converted to the unit asked for (e.g. m³ to kWh)', retryable: false },
  MTL_DOMAIN_MANIFEST_SYNTAX: { meaning: 'The registry manifest is not valid YAML or JSON', retryable: false },
  MTL_DOMAIN_MANIFEST_SCHEMA: { meaning: 'The registry manifest does not match its schema (the path names the field)', retryable: false },
  MTL_DOMAIN_MANIFEST_DUPLICATE_ID: { meaning: 'An id is used twice in the registry manifest', retryable: false },
  MTL_DOMAIN_MANIFEST_UNKNOWN_REFERENCE: { meaning: 'The manifest refers to a site, point, meter, device or factor set it does not define', retryable: false },
  MTL_DOMAIN_MANIFEST_UNIT_MISMATCH: { meaning: "A metering point's unit does not fit its carrier and quantity", retryable: false },
  MTL_DOMAIN_MANIFEST_INVALID_VALUE: { meaning: 'A manifest value is out of its range or contradicts another (dates, ratios, calibration, topology)', retryable: false },
  MTL_DOMAIN_REFERENCE_OUT_OF_RANGE: { meaning: 'A reference value (coefficient, emission factor) is outside the range its source allows', retryable: false },
  MTL_DOMAIN_REFERENCE_INVALID: { meaning: 'A reference data set (factor set) is not valid: a value without its source, a unit slip, a missing carrier', retryable: false },
  MTL_DOMAIN_FACTOR_NOT_FOUND: { meaning: 'The factor set has no factor for a carrier, region or year a figure needs', retryable: false },
  MTL_DOMAIN_FACTOR_SET_NOT_FOUND: { meaning: 'No factor set of that name and version is known', retryable: false },
  MTL_DOMAIN_FACTOR_SET_OUTSIDE_REGION: { meaning: "The enterprise's region is outside the regions its pinned factor set covers (a plant in Berlin pinned to China's set)", retryable: false },
  MTL_DOMAIN_INVALID_PERIOD: { meaning: 'A period is not a valid calendar period (e.g. 2026-13, or a range that ends before it starts)', retryable: false },
  MTL_DOMAIN_INVALID_TIME_ZONE: { meaning: 'A time zone is not an IANA time zone name', retryable: false },
  MTL_DOMAIN_INVALID_READING: { meaning: 'A reading cannot be accounted (not a finite number, or a time outside the period)', retryable: false },
});

export type DomainErrorCode = (typeof DOMAIN_ERRORS.codes)[number];

export class DomainError extends Error {
  readonly code: DomainErrorCode;
  readonly details: Readonly<Record<string, unknown>>;

  constructor(code: DomainErrorCode, message: string, details: Record<string, unknown> = {}, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'DomainError';
    this.code = code;
    this.details = Object.freeze({ ...details });
  }
}

export function isDomainError(error: unknown): error is DomainError {
  return error instanceof DomainError;
}
