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
  MTL_DOMAIN_MANUAL_ENTRY_INVALID: { meaning: 'A manual entry is not valid: a kind, period, site, carrier, unit or value that does not fit (the field is named)', retryable: false },
  MTL_DOMAIN_MANUAL_ENTRY_UNKNOWN: { meaning: 'A correction names an entry the enterprise does not have', retryable: false },
  MTL_DOMAIN_MANUAL_ENTRY_CONFLICT: { meaning: 'A manual entry repeats one that stands (the same stock, production or value of a period, the same delivery document), or corrects one already corrected: correct the latest instead', retryable: false },
  MTL_DOMAIN_TARGET_INVALID: { meaning: 'A dual-control target is not valid: a holder, year, metric, basis, value or document that does not fit (the field is named)', retryable: false },
  MTL_DOMAIN_TARGET_CONFLICT: { meaning: 'A target reuses the id of one recorded already', retryable: false },
  MTL_DOMAIN_MANUAL_STOCK_MISSING: { meaning: "A fuel accounted from deliveries and stock lacks its opening stock (the previous period's closing stock) or its closing stock: its consumption is not booked", retryable: false },
  MTL_DOMAIN_MANUAL_NEGATIVE_CONSUMPTION: { meaning: 'Opening stock + deliveries − closing stock is negative: the entries contradict each other and the consumption is not booked', retryable: false },
  MTL_DOMAIN_MANUAL_FUEL_METERED: { meaning: 'A fuel with manual deliveries and stock is also metered at a boundary input of the same site: the metered consumption counts, the manual one is not added', retryable: false },
  MTL_DOMAIN_MANUAL_NOT_APPORTIONED: { meaning: 'A fuel accounted monthly from deliveries and stock is not in figures of periods shorter than a month', retryable: false },
  MTL_DOMAIN_MANUAL_OVERRIDES_MANIFEST: { meaning: "A manual production entry and the manifest's production name the same product and period: the manual entry counts", retryable: false },
  MTL_DOMAIN_TARGET_ACTUALS_INVALID: { meaning: "Monthly actuals for a target's progress are not valid: a month that is not YYYY-MM or is given twice, a value or standard uncertainty that is not finite (u ≥ 0), an enterprise given twice or not expected in the region (the field is named)", retryable: false },
  MTL_DOMAIN_LIMIT_STANDARDS_INVALID: { meaning: 'A product energy-consumption limit data set is not valid: a unit slip, a value out of range, a confirmed value without its clause or source, grades out of order (the path names the field)', retryable: false },
  MTL_DOMAIN_LIMIT_UNIT_MISMATCH: { meaning: "A product's production unit is not the denominator of its limit standard's unit (t for kgce/t): no verdict", retryable: false },
  MTL_DOMAIN_LIMIT_BASIS_MISMATCH: { meaning: 'A limit grade counts electricity on another basis (equivalent or equal value) than the figure: no verdict on that grade', retryable: false },
  MTL_DOMAIN_LIMIT_FIGURE_MISSING: { meaning: "A product's unit consumption is missing or incomplete for the period: no verdict", retryable: false },
  MTL_DOMAIN_LIMIT_INPUT_INVALID: { meaning: 'A month given to the year-to-date unit consumption is not valid (not finite, negative uncertainty, output not above zero)', retryable: false },
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
