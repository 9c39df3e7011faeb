import { checkLimitStandards, loadLimitStandards, MAX_LISTED_ISSUES, parseLocatedDocument, type LimitStandards, type Locator } from '@meterline/domain';
import type { InputError } from './input-error.ts';

/**
 * Reads a deployment's own product limit standards, YAML or JSON, in the shape of the shipped
 * data set; it replaces the shipped one for the run. Checked as the shipped one is (shape, unit,
 * plausible range, a clause and source for every confirmed value, grade order); every problem
 * names its line, column and field.
 */
export function readLimitStandardsFile(text: string, file: string): { ok: true; standards: LimitStandards; locate: Locator } | { ok: false; errors: InputError[] } {
  const parsed = parseLocatedDocument(text);
  if (!parsed.ok) return { ok: false, errors: parsed.errors.map((e) => ({ file, line: e.line, column: e.column, message: `${e.message} [MTL_DOMAIN_LIMIT_STANDARDS_INVALID]` })) };
  const issues = checkLimitStandards(parsed.data);
  if (issues.length > 0) {
    return {
      ok: false,
      errors: issues.slice(0, MAX_LISTED_ISSUES).map((i) => ({ file, ...parsed.locate(i.path), field: i.path || '/', message: `${i.message} [MTL_DOMAIN_LIMIT_STANDARDS_INVALID]` })),
    };
  }
  return { ok: true, standards: loadLimitStandards(parsed.data), locate: parsed.locate };
}
