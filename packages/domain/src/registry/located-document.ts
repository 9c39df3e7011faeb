import { LineCounter, parseDocument, isNode } from 'yaml';
import { Value } from '@sinclair/typebox/value';
import type { TSchema } from '@sinclair/typebox';
import { parseStrictJson } from '../strict-json.ts';

/** The line and column (1-based) of a JSON pointer's node in a document's text, or of its nearest parent that exists. */
export type Locator = (pointer: string) => { line?: number; column?: number };

type LocatedDocument =
  | { ok: true; data: unknown; locate: Locator }
  | { ok: false; errors: Array<{ message: string; line: number; column: number }> };

/**
 * Parses YAML or JSON and keeps a locator, so every later check can name the line of a field.
 * Duplicate keys are syntax errors: the second would silently win.
 *
 * JSON (what machines write: the registry topic's records, generated manifests) is read with
 * JSON.parse, and the YAML 1.2 parser, which also reads JSON, builds its syntax tree only when a
 * check asks for a line: the tree of a 4 000-point manifest (2 MB) took V8's heap to 147 MB and
 * the process's RSS from 167 to 244 MB for good (V8 keeps the pages), where the data is a tenth
 * of that (issue 17). JSON with a repeated name goes to the YAML parser, which says where.
 */
export function parseLocatedDocument(text: string): LocatedDocument {
  const json = parseStrictJson(text);
  if (json.ok) {
    let locate: Locator | undefined;
    return { ok: true, data: json.value, locate: (pointer) => (locate ??= yamlLocator(parsedYaml(text)))(pointer) };
  }
  const { doc, lineCounter } = parsedYaml(text);
  if (doc.errors.length > 0) {
    return {
      ok: false,
      errors: doc.errors.map((e) => {
        const pos = lineCounter.linePos(e.pos[0]);
        return { message: e.message, line: pos.line, column: pos.col };
      }),
    };
  }
  return { ok: true, data: doc.toJS(), locate: yamlLocator({ doc, lineCounter }) };
}

function parsedYaml(text: string) {
  const lineCounter = new LineCounter();
  return { doc: parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true }), lineCounter };
}

function yamlLocator({ doc, lineCounter }: ReturnType<typeof parsedYaml>): Locator {
  return (path) => {
    const segments = path.split('/').slice(1).map(unescapePointer);
    // Walk up until a node that exists: a missing property is reported at its parent.
    for (let n = segments.length; n >= 0; n--) {
      const keys = segments.slice(0, n).map((s) => (/^\d+$/.test(s) ? Number(s) : s));
      const node = n === 0 ? doc.contents : doc.getIn(keys, true);
      if (isNode(node) && node.range) {
        const pos = lineCounter.linePos(node.range[0]);
        return { line: pos.line, column: pos.col };
      }
    }
    return {};
  };
}

function unescapePointer(segment: string): string {
  return segment.replace(/~1/g, '/').replace(/~0/g, '~');
}

interface SchemaShape { anyOf?: SchemaShape[]; const?: unknown; description?: string; pattern?: string }

function describeExpected(tschema: TSchema): string | undefined {
  const schema = tschema as SchemaShape;
  const anyOf = schema.anyOf;
  if (anyOf && anyOf.every((s) => 'const' in s)) {
    return `expected one of: ${anyOf.map((s) => String(s.const)).join(', ')}`;
  }
  if ('const' in schema) return `expected ${JSON.stringify(schema.const)}`;
  if (typeof schema.description === 'string' && schema.pattern) return `expected ${schema.description}`;
  return undefined;
}

/** Every way `data` fails `schema`, one per field (at most `limit`), each with the JSON pointer of the field. */
export function schemaIssues(schema: TSchema, data: unknown, limit: number): Array<{ path: string; message: string }> {
  const issues: Array<{ path: string; message: string }> = [];
  const seen = new Set<string>();
  for (const error of Value.Errors(schema, data)) {
    // TypeBox may report one field twice (missing, then wrong type): keep the first.
    if (seen.has(error.path)) continue;
    seen.add(error.path);
    const expected = describeExpected(error.schema);
    const message =
      error.value === undefined
        ? `required field is missing${expected ? ` (${expected})` : ''}`
        : `${expected ?? error.message.replace(/^Expected/, 'expected')} (got ${JSON.stringify(error.value)})`;
    issues.push({ path: error.path, message });
    if (issues.length >= limit) break;
  }
  return issues;
}
