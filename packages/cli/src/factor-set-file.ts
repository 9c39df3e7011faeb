import { FactorSetDefinitionV1 } from '@meterline/contracts';
import { checkFactorSetDefinition, MAX_LISTED_ISSUES, parseLocatedDocument, schemaIssues, type FactorSetDefinition, type Locator } from '@meterline/domain';
import type { InputError } from './input-error.ts';

/**
 * Reads an auditor's own factor set, YAML or JSON, in the shape POST /v1/factor-sets takes
 * (contract meterline.factor-set.v1), and checks it as every reader of the factor-set topic
 * does: the schema, then the tables it names and the plausibility of its own values. Every
 * problem names its line, column and field.
 */
export function readFactorSetFile(text: string, file: string): { ok: true; set: FactorSetDefinition; locate: Locator } | { ok: false; errors: InputError[] } {
  const parsed = parseLocatedDocument(text);
  if (!parsed.ok) return { ok: false, errors: parsed.errors.map((e) => ({ file, line: e.line, column: e.column, message: `${e.message} [MTL_DOMAIN_REFERENCE_INVALID]` })) };
  const located = (issues: Array<{ path: string; message: string }>): InputError[] =>
    issues.slice(0, MAX_LISTED_ISSUES).map((i) => ({ file, ...parsed.locate(i.path), field: i.path || '/', message: `${i.message} [MTL_DOMAIN_REFERENCE_INVALID]` }));
  const shape = schemaIssues(FactorSetDefinitionV1, parsed.data, MAX_LISTED_ISSUES);
  if (shape.length > 0) return { ok: false, errors: located(shape) };
  const set = parsed.data as FactorSetDefinitionV1;
  const values = checkFactorSetDefinition(set);
  return values.length > 0 ? { ok: false, errors: located(values) } : { ok: true, set, locate: parsed.locate };
}
