import type { Static, TSchema } from '@sinclair/typebox';
import { Ajv, type ErrorObject } from 'ajv';

interface ValidationIssue {
  /** JSON pointer to the offending field, '' for the document itself. */
  path: string;
  message: string;
}

export type Validation<T> = { ok: true; value: T } | { ok: false; issues: ValidationIssue[] };

export interface Validator<T> {
  validate(input: unknown): Validation<T>;
}

// The hot path stops at the first error; config loading wants every error at once.
const firstError = new Ajv({ allErrors: false, strict: true, allowUnionTypes: true });
const everyError = new Ajv({ allErrors: true, strict: true, allowUnionTypes: true });

function toIssue(error: ErrorObject): ValidationIssue {
  const extra =
    error.keyword === 'additionalProperties'
      ? ` '${String((error.params as { additionalProperty: string }).additionalProperty)}'`
      : '';
  // A missing field is reported at its own path, so the message can name it.
  if (error.keyword === 'required') {
    const missing = String((error.params as { missingProperty: string }).missingProperty);
    return { path: `${error.instancePath}/${missing}`, message: 'is required' };
  }
  return { path: error.instancePath, message: `${error.message ?? error.keyword}${extra}` };
}

/** Compiles a schema once; the returned validator is cheap to call on the hot path. */
export function compileValidator<S extends TSchema>(schema: S, options: { allErrors?: boolean } = {}): Validator<Static<S>> {
  const check = (options.allErrors ? everyError : firstError).compile<Static<S>>(schema);
  return {
    validate(input) {
      if (check(input)) return { ok: true, value: input };
      return { ok: false, issues: (check.errors ?? []).map(toIssue) };
    },
  };
}
