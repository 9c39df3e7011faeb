/**
 * The closed list of domain error codes. Codes are stable: callers match on `code`,
 * never on message text. Domain errors are never retryable (the inputs are wrong), so
 * there is no retry flag here.
 */
export const DomainErrorCode = {
  UnknownUnit: 'MTL_DOMAIN_UNKNOWN_UNIT',
  IncompatibleUnits: 'MTL_DOMAIN_INCOMPATIBLE_UNITS',
  ManifestSyntax: 'MTL_DOMAIN_MANIFEST_SYNTAX',
  ManifestSchema: 'MTL_DOMAIN_MANIFEST_SCHEMA',
  ManifestDuplicateId: 'MTL_DOMAIN_MANIFEST_DUPLICATE_ID',
  ManifestUnknownReference: 'MTL_DOMAIN_MANIFEST_UNKNOWN_REFERENCE',
  ManifestUnitMismatch: 'MTL_DOMAIN_MANIFEST_UNIT_MISMATCH',
  ManifestInvalidValue: 'MTL_DOMAIN_MANIFEST_INVALID_VALUE',
  ReferenceDataOutOfRange: 'MTL_DOMAIN_REFERENCE_OUT_OF_RANGE',
  ReferenceDataInvalid: 'MTL_DOMAIN_REFERENCE_INVALID',
  FactorNotFound: 'MTL_DOMAIN_FACTOR_NOT_FOUND',
  FactorSetNotFound: 'MTL_DOMAIN_FACTOR_SET_NOT_FOUND',
  InvalidPeriod: 'MTL_DOMAIN_INVALID_PERIOD',
  InvalidTimeZone: 'MTL_DOMAIN_INVALID_TIME_ZONE',
  InvalidReading: 'MTL_DOMAIN_INVALID_READING',
} as const;

export type DomainErrorCode = (typeof DomainErrorCode)[keyof typeof DomainErrorCode];

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
