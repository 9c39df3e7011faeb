import type { Static, TSchema } from '@sinclair/typebox';
import { Ajv, type ErrorObject } from 'ajv';

export interface ValidationIssue {
  /** JSON pointer to the offending field, '' for the document itself. */
  path: string;
  message: string;
}

export type Validation<T> = { ok: true; value: T } | { ok: false; issues: ValidationIssue[] };

export interface Validator<T> {
  validate(input: unknown): Validation<T>;
}

const ajv = new Ajv({ allErrors: false, strict: true, allowUnionTypes: true });

function toIssue(error: ErrorObject): ValidationIssue {
  const extra =
    error.keyword === 'additionalProperties'
      ? ` '${String((error.params as { additionalProperty: string }).additionalProperty)}'`
      : '';
  return { path: error.instancePath, message: `${error.message ?? error.keyword}${extra}` };
}

/** Compiles a schema once; the returned validator is cheap to call on the hot path. */
export function compileValidator<S extends TSchema>(schema: S): Validator<Static<S>> {
  const check = ajv.compile<Static<S>>(schema);
  return {
    validate(input) {
      if (check(input)) return { ok: true, value: input };
      return { ok: false, issues: (check.errors ?? []).map(toIssue) };
    },
  };
}
