// Issue 14, item 1: no field, tag or measurement name of a stored series is written as a string
// literal outside packages/series. This test is the check the issue's note shows: it fails
// listing file:line of every stored name spelled out where it should be imported.
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import * as series from '@meterline/series';

const root = join(import.meta.dirname, '..', '..');

/** The code that writes or reads stored series. packages/series owns the names and is left out. */
const SCANNED = [
  ...readdirSync(join(root, 'services')).map((name) => join('services', name, 'src')),
  ...readdirSync(join(root, 'packages'))
    .filter((name) => name !== 'series')
    .map((name) => join('packages', name, 'src')),
  join('dashboards', 'src'),
  join('test', 'harness'),
  join('test', 'e2e'),
  join('test', 'bench'),
];

/**
 * Literals that spell a stored name but are not one, by file: a narrow list, each with its reason,
 * rather than a rule loose enough to let real finds through.
 */
const NOT_STORED: Readonly<Record<string, { names: readonly string[]; why: string }>> = {
  'packages/contracts/src/figure.ts': {
    names: ['consumption', 'standard_coal', 'energy_balance', 'carbon', 'intensity', 'quality_rule', 'limit_compliance', 'target_progress', 'baseline_deviation', 'fabrication_finding'],
    why: "FIGURE_KINDS, the wire format's figure kinds: their owner. Series stores each kind under its name (FIGURE_MEASUREMENTS)",
  },
  'services/api/src/reports/report-tables.ts': {
    names: [
      'period_end', 'factor_set', 'carbon', 'intensity', 'production_unit', 'consumption', 'suspect_intervals',
      'to_date', 'status_rule', 'judged_against', 'computed_at', 'binding_grade', 'standard_number', 'limit_value', 'limit_verdict', 'access_value', 'access_verdict', 'advanced_value', 'advanced_verdict', 'limit_compliance',
    ],
    why: "the monthly report's CSV sections and columns: a published format of its own, which must not change when storage does",
  },
  'services/edge/src/queue.ts': {
    names: ['seq'],
    why: "SQL of the edge agent's local SQLite queue, not InfluxQL: `seq` is its own column, the payload's sequence number",
  },
  'test/e2e/dashboards.e2e.test.ts': {
    names: ['consumption'],
    why: 'the enterprise-energy panels\' result column `AS "consumption"`: the dashboard\'s alias, not the measurement',
  },
};

interface StoredNames {
  measurements: Set<string>;
  /** Every tag and field name. */
  columns: Set<string>;
}

const strings = (value: unknown): string[] =>
  typeof value === 'string' ? [value] : typeof value === 'object' && value !== null ? Object.values(value).flatMap(strings) : [];

/**
 * Read from what packages/series exports, so a new series is guarded without editing this test:
 * `…_MEASUREMENT(S)` (readings, figures, restatements), `…_TAGS` and `…_FIELDS`, and the
 * `{ measurement, tags, fields }` objects of the alerter's series and device sequences.
 */
function storedNames(): StoredNames {
  const names: StoredNames = { measurements: new Set(), columns: new Set() };
  for (const [exported, value] of Object.entries(series)) {
    if (/_MEASUREMENTS?$/.test(exported)) for (const name of strings(value)) names.measurements.add(name);
    else if (/_(TAGS|FIELDS)$/.test(exported)) for (const name of strings(value)) names.columns.add(name);
    else if (typeof value === 'object' && value !== null && 'measurement' in value && 'tags' in value && 'fields' in value) {
      for (const name of strings(value.measurement)) names.measurements.add(name);
      for (const name of [...strings(value.tags), ...strings(value.fields)]) names.columns.add(name);
    }
  }
  return names;
}

/**
 * Which names a quoted literal may not be. Every measurement name. Of the tags and fields, the
 * snake_case ones (`expanded_u`, `alert_id`, `last_ms`, …): the code's own keys are camelCase and
 * its enum values kebab-case, so a quoted snake_case word is the store's spelling. A one-word tag
 * or field (`value`, `unit`, `point`, `kind`, `seq`, `status`, …) is also an object key, a query
 * parameter, an event kind or plain English: as a bare literal it is mostly not a stored name, and
 * flagging it would bury the real finds. Inside InfluxQL every name counts (below).
 */
const distinctive = (names: StoredNames): Set<string> => new Set([...names.measurements, ...[...names.columns].filter((n) => n.includes('_'))]);

function sourceFiles(dir: string): string[] {
  let entries: string[];
  try {
    entries = readdirSync(join(root, dir), { recursive: true, encoding: 'utf8' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  return entries.filter((f) => f.endsWith('.ts') && !f.split(/[\\/]/).includes('node_modules')).map((f) => join(dir, f));
}

/** The text of a string or template literal, `${…}` replaced by one NUL, with where each character is in the file. */
interface LiteralText {
  text: string;
  /** Source position of each character of `text`. */
  at: number[];
}

function literals(source: ts.SourceFile): LiteralText[] {
  const out: LiteralText[] = [];
  const piece = (node: ts.Node, text: string, into: LiteralText) => {
    // The raw text starts after the opening quote, backtick, `}` or `${`-less head.
    const start = node.getStart(source) + 1;
    for (let i = 0; i < text.length; i++) {
      into.text += text[i];
      into.at.push(start + i);
    }
  };
  const visit = (node: ts.Node): void => {
    if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) {
      const literal: LiteralText = { text: '', at: [] };
      piece(node, node.text, literal);
      out.push(literal);
    } else if (ts.isTemplateExpression(node)) {
      const literal: LiteralText = { text: '', at: [] };
      piece(node.head, node.head.rawText ?? node.head.text, literal);
      for (const span of node.templateSpans) {
        literal.text += '\0';
        literal.at.push(span.expression.getStart(source));
        // A middle or tail starts with `}`: its text begins one character later than the node.
        piece(span.literal, span.literal.rawText ?? span.literal.text, literal);
      }
      out.push(literal);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return out;
}

/** A literal holding InfluxQL: a statement keyword as InfluxQL writes it (upper case). */
const INFLUXQL = /\b(SELECT|SHOW (TAG|FIELD|SERIES|MEASUREMENTS)|DELETE FROM|DROP SERIES)\b/;

/**
 * The identifiers of an InfluxQL text, bare or double-quoted, where the store's names would be:
 * not in a single-quoted tag value, not in a /regex/, not an alias (`AS "tce"`, the query's own
 * name for a result column), not a function (`count(`).
 */
function influxQlIdentifiers(text: string): { name: string; index: number }[] {
  const found: { name: string; index: number }[] = [];
  const blanked = text.replace(/'[^']*'/g, (m) => ' '.repeat(m.length)).replace(/[=!]~\s*\/(?:[^/\\]|\\.)*\//g, (m) => ' '.repeat(m.length));
  // Left to right, a quoted identifier whole: `"${…}" AS "x"` is two identifiers, not ` AS `.
  for (const m of blanked.matchAll(/"([^"]*)"|\b([A-Za-z_][A-Za-z0-9_]*)\b/g)) {
    const name = m[1] ?? m[2]!;
    if (name.includes('\0')) continue;
    const before = blanked.slice(0, m.index).trimEnd();
    const after = blanked.slice(m.index + m[0].length).trimStart();
    if (/\bAS$/i.test(before) || after.startsWith('(')) continue;
    found.push({ name, index: m.index + (m[1] === undefined ? 0 : 1) });
  }
  return found;
}

/** `file:line: name (how it is written)` for every stored name a file spells out. */
function spelledOut(file: string, code: string, names: StoredNames): string[] {
  const source = ts.createSourceFile(file, code, ts.ScriptTarget.Latest, true);
  const quoted = distinctive(names);
  const all = new Set([...names.measurements, ...names.columns]);
  const where = (pos: number) => `${file}:${source.getLineAndCharacterOfPosition(pos).line + 1}`;
  const found: string[] = [];
  const allowed = new Set(NOT_STORED[file.split('\\').join('/')]?.names ?? []);
  for (const literal of literals(source)) {
    if (!literal.text.includes('\0') && quoted.has(literal.text) && !allowed.has(literal.text)) found.push(`${where(literal.at[0]!)}: '${literal.text}' (a quoted stored name)`);
    else if (INFLUXQL.test(literal.text)) {
      for (const { name, index } of influxQlIdentifiers(literal.text)) {
        if (all.has(name) && !allowed.has(name)) found.push(`${where(literal.at[index]!)}: ${name} (in InfluxQL)`);
      }
    }
  }
  return found;
}

describe('stored series names (issue 14, item 1)', () => {
  const names = storedNames();

  it('finds the names of every series packages/series declares', () => {
    // A sample of each module, so a change in how the series export their names cannot empty the guard.
    for (const m of ['reading', 'consumption', 'restatement', 'alerter_state', 'alert', 'alerter_seen', 'alerter_device', 'alert_delivery', 'device_sequence', 'device_sequence_event']) {
      expect(names.measurements, m).toContain(m);
    }
    for (const c of ['verified', 'expanded_u', 'tce_u', 'old_expanded_u', 'doc', 'alert_id', 'last_ms', 'at_ms', 'http_status', 'last_seq', 'gap_at_ms']) expect(names.columns, c).toContain(c);
  });

  it('sees a stored name quoted and inside InfluxQL, and lets interpolated names and aliases be', () => {
    const code = [
      `const a = { field: 'expanded_u' };`,
      'const q = `SELECT count("alert_id") AS "open" FROM "alert" WHERE "status" = \'firing\'`;',
      `const r = 'SELECT value FROM reading GROUP BY point';`,
      'const ok = `SELECT "${F.value}" AS "tce", sum("${D.tce}") FROM "${M.carbon}" WHERE "${T.scope}" = \'scope1\' AND "kind" =~ /^(gap|late)$/`;',
      `const word = 'value';`,
    ].join('\n');
    expect(spelledOut('example.ts', code, names)).toEqual([
      "example.ts:1: 'expanded_u' (a quoted stored name)",
      'example.ts:2: alert_id (in InfluxQL)',
      'example.ts:2: alert (in InfluxQL)',
      'example.ts:2: status (in InfluxQL)',
      'example.ts:3: value (in InfluxQL)',
      'example.ts:3: reading (in InfluxQL)',
      'example.ts:3: point (in InfluxQL)',
      'example.ts:4: kind (in InfluxQL)',
    ]);
  });

  it('no stored name is spelled out in services, packages (series aside), dashboards, or the e2e tests, harness and benchmarks', () => {
    const found = SCANNED.flatMap(sourceFiles).flatMap((file) => spelledOut(relative(root, join(root, file)), readFileSync(join(root, file), 'utf8'), names));
    expect(found, 'import the name from @meterline/series instead').toEqual([]);
  });
});
