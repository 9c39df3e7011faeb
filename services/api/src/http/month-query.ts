import { Type } from '@sinclair/typebox';
import { ApiError } from '../errors.ts';

/** The years a target or a month query may name: the same span as a target's year. */
const FIRST_YEAR = 1970;
const LAST_YEAR = 2199;

/** A calendar month YYYY-MM of the years above, on the enterprise's wall clock. */
const MONTH_PATTERN = '^(19[7-9][0-9]|2[01][0-9][0-9])-(0[1-9]|1[0-2])$';

export const MonthQuery = (description: string) => Type.String({ pattern: MONTH_PATTERN, description: `${description}: YYYY-MM, ${FIRST_YEAR} to ${LAST_YEAR}`, examples: ['2026-03'] });

export const YearQuery = (description: string) => Type.Integer({ minimum: FIRST_YEAR, maximum: LAST_YEAR, description, examples: [2026] });

/** A query parameter that fits its schema but not the others: 400 naming it. */
export const badQuery = (name: string, detail: string): ApiError =>
  new ApiError('MTL_API_VALIDATION_FAILED', `query /${name}: ${detail}`, { issues: [{ in: 'query', pointer: `/${name}`, detail }] });
