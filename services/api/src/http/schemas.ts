import { Type, type TSchema } from '@sinclair/typebox';
import { ID_PATTERN, INSTANT_PATTERN } from '@meterline/domain';
import { PROBLEM_CONTENT_TYPE, ProblemSchema } from '../problem.ts';

/** A string from a closed list: `enum` reads better in OpenAPI than anyOf of constants. */
export const stringEnum = <const T extends readonly string[]>(values: T, options: { description?: string; examples?: string[] } = {}) =>
  Type.Unsafe<T[number]>({ type: 'string', enum: [...values], ...options });

export const IdParam = (description: string, example: string) => Type.String({ pattern: ID_PATTERN, description, examples: [example] });

export const InstantQuery = (description: string, example: string) =>
  Type.String({ pattern: INSTANT_PATTERN, description: `${description}: ISO 8601 with offset`, examples: [example] });

/** Problem responses of an operation, documented with their media type. */
export function problemResponses(...statuses: number[]): Record<number, { description: string; content: Record<string, { schema: TSchema }> }> {
  return Object.fromEntries(
    statuses.map((status) => [status, { description: 'problem details (RFC 9457)', content: { [PROBLEM_CONTENT_TYPE]: { schema: ProblemSchema } } }]),
  );
}

/** The responses every authenticated /v1 operation may give besides its own. */
export const AUTHENTICATED_PROBLEMS = [400, 401, 403, 429, 500] as const;

export const BEARER = [{ apiKey: [] as string[] }];
