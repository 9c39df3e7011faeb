import { Type, type Static } from '@sinclair/typebox';
import shipped from '../reference/data/energy-limit-standards.json' with { type: 'json' };
import { DomainError } from '../errors.ts';
import { ID_PATTERN } from '../registry/manifest-schema.ts';
import { schemaIssues } from '../registry/located-document.ts';
import type { ReferenceIssue } from '../reference/reference-data.ts';

/**
 * Mandatory product energy-consumption limit standards (单位产品能源消耗限额, the GB 21xxx,
 * GB 30xxx and GB 16780 families) as cited reference data. Each product of a standard has three
 * grades: the limit value existing plants must meet (限定值; grade 3 in the editions that number
 * grades), the access value a new or extended plant must meet (准入值; grade 2), and the advanced
 * value (先进值; grade 1). Lower is better in every one of them.
 *
 * A grade takes part in a compliance verdict only when `confirmed`: its value was checked against
 * the standard's text, and the clause and that source are recorded. Unconfirmed values may be
 * shown, never judged against.
 */

export const LIMIT_GRADES = ['limit', 'access', 'advanced'] as const;
export type LimitGrade = (typeof LIMIT_GRADES)[number];

/** Electricity at its equivalent value (当量值, 0.1229 kgce/kWh) or its equal value (等价值, the coal rate of generation). */
export const ELECTRICITY_BASES = ['equivalent', 'equal-value'] as const;
export type ElectricityBasis = (typeof ELECTRICITY_BASES)[number];

/**
 * The units the standards state their grades in, each as (energy unit in tce, denominator), and
 * the plausible range of a grade in it. The ranges are wide: they catch unit slips (a coal rate
 * written in kgce/kWh, a kgce value written in tce), not the standard's choices. kgce/t reaches
 * below zero: a converter recovers more energy than it uses.
 */
export const LIMIT_UNITS: Readonly<Record<string, { tcePerEnergyUnit: number; denominator: string; plausible: readonly [number, number] }>> = Object.freeze({
  'kgce/t': { tcePerEnergyUnit: 1e-3, denominator: 't', plausible: [-100, 20_000] },
  'kgce/weight-box': { tcePerEnergyUnit: 1e-3, denominator: 'weight-box', plausible: [1, 100] },
  'gce/kWh': { tcePerEnergyUnit: 1e-6, denominator: 'kWh', plausible: [150, 600] },
});

const Text = Type.String({ minLength: 1 });
const NullableText = Type.Union([Text, Type.Null()]);
const Basis = Type.Union(ELECTRICITY_BASES.map((b) => Type.Literal(b)), { description: 'electricity basis' });

const GradeSchema = Type.Object(
  {
    /** In the product's unit; null when not known. */
    value: Type.Union([Type.Number(), Type.Null()]),
    /** Clause, table and row of the standard that states the value. */
    clause: NullableText,
    confirmed: Type.Boolean(),
    /** Where the value was confirmed (an address, or the edition and page read). */
    source: NullableText,
    /** When the grade counts electricity otherwise than the product's boundary (GB 21256-2013's advanced values). */
    electricity: Type.Optional(Basis),
    note: Type.Optional(Text),
  },
  { additionalProperties: false },
);

const LimitProductSchema = Type.Object(
  {
    id: Type.String({ pattern: ID_PATTERN, description: 'id: letters, digits, ".", "_" or "-"' }),
    name: Text,
    indicator: Text,
    standard: Type.Object(
      {
        /** e.g. "GB 16780" (no year). */
        number: Type.String({ pattern: '^GB(/T)? \\d{4,5}(\\.\\d+)?$', description: 'a standard number such as GB 16780 or GB 29436.4' }),
        year: Type.Integer({ minimum: 1990, maximum: 2100 }),
        title: Text,
        replaces: Type.Optional(Text),
      },
      { additionalProperties: false },
    ),
    boundary: Type.Object(
      { counted: Text, electricity: Basis, confirmed: Type.Boolean(), source: NullableText },
      { additionalProperties: false },
    ),
    unit: Text,
    grades: Type.Object({ limit: GradeSchema, access: GradeSchema, advanced: GradeSchema }, { additionalProperties: false }),
  },
  { additionalProperties: false },
);

export const LimitStandardsSchema = Type.Object(
  {
    id: Type.String({ pattern: ID_PATTERN, description: 'id: letters, digits, ".", "_" or "-"' }),
    version: Text,
    title: Text,
    note: Type.Optional(Text),
    products: Type.Array(LimitProductSchema, { minItems: 1 }),
  },
  { additionalProperties: false },
);

export type LimitStandardsData = Static<typeof LimitStandardsSchema>;
export type LimitProduct = Static<typeof LimitProductSchema>;
export type LimitGradeValue = Static<typeof GradeSchema>;

/** A checked data set: its products by id. */
export interface LimitStandards {
  readonly id: string;
  readonly version: string;
  readonly products: ReadonlyMap<string, LimitProduct>;
}

/** The standard's citation, "GB 16780-2021". */
export const standardId = (p: LimitProduct): string => `${p.standard.number}-${p.standard.year}`;

/** The basis a grade counts electricity on: its own, else the product's boundary's. */
export const gradeBasis = (p: LimitProduct, grade: LimitGrade): ElectricityBasis => p.grades[grade].electricity ?? p.boundary.electricity;

/** A grade a verdict may use: confirmed, with a value and its clause. */
export const isUsableGrade = (g: LimitGradeValue): g is LimitGradeValue & { value: number; clause: string } =>
  g.confirmed && g.value !== null && g.clause !== null;

/**
 * Every problem of a limit data set (a deployment's own file is as hostile as any input): its
 * shape, then per product the unit, the range of each value in it, the citation of each
 * confirmed value (clause and source), and the order of the grades. Paths are JSON pointers.
 */
export function checkLimitStandards(data: unknown): ReferenceIssue[] {
  const shape = schemaIssues(LimitStandardsSchema, data, 200);
  if (shape.length > 0) return shape;
  const set = data as LimitStandardsData;
  const issues: ReferenceIssue[] = [];
  const seen = new Map<string, number>();
  set.products.forEach((p, i) => {
    const path = `/products/${i}`;
    const first = seen.get(p.id);
    if (first !== undefined) issues.push({ path: `${path}/id`, message: `duplicate product id "${p.id}" (first at /products/${first})` });
    else seen.set(p.id, i);
    if (p.boundary.confirmed && !p.boundary.source) issues.push({ path: `${path}/boundary/source`, message: 'a confirmed boundary names the source it was confirmed from' });
    const unit = LIMIT_UNITS[p.unit];
    if (!unit) issues.push({ path: `${path}/unit`, message: `unit "${p.unit}" is not one the limit standards use (${Object.keys(LIMIT_UNITS).join(', ')})` });
    for (const grade of LIMIT_GRADES) {
      const g = p.grades[grade];
      const gp = `${path}/grades/${grade}`;
      if (g.value !== null && !Number.isFinite(g.value)) issues.push({ path: `${gp}/value`, message: 'not a finite number' });
      else if (g.value !== null && unit && (g.value < unit.plausible[0] || g.value > unit.plausible[1])) {
        issues.push({ path: `${gp}/value`, message: `${g.value} ${p.unit} is outside the plausible range [${unit.plausible[0]}, ${unit.plausible[1]}]: a unit slip?` });
      }
      if (g.confirmed) {
        if (g.value === null) issues.push({ path: `${gp}/value`, message: 'a confirmed grade has a value' });
        if (!g.clause) issues.push({ path: `${gp}/clause`, message: 'a confirmed value names the clause (and table) of the standard that states it' });
        if (!g.source) issues.push({ path: `${gp}/source`, message: 'a confirmed value names the source it was confirmed from' });
      }
    }
    // Lower is better: advanced <= access <= limit wherever both are known. A swap is a typing slip.
    const { limit, access, advanced } = p.grades;
    const sameBasis = (a: LimitGrade, b: LimitGrade): boolean => gradeBasis(p, a) === gradeBasis(p, b);
    if (access.value !== null && limit.value !== null && access.value > limit.value) {
      issues.push({ path: `${path}/grades/access/value`, message: `access value ${access.value} is above the limit value ${limit.value}: a new plant is held to the stricter value` });
    }
    if (advanced.value !== null && access.value !== null && sameBasis('advanced', 'access') && advanced.value > access.value) {
      issues.push({ path: `${path}/grades/advanced/value`, message: `advanced value ${advanced.value} is above the access value ${access.value}` });
    }
  });
  return issues;
}

/** The shipped data set (a deployment passes its own file's parsed JSON instead). */
export const SHIPPED_LIMIT_STANDARDS: unknown = shipped;

/** Checks a limit data set and indexes it, or throws MTL_DOMAIN_LIMIT_STANDARDS_INVALID listing every problem. */
export function loadLimitStandards(data: unknown = SHIPPED_LIMIT_STANDARDS): LimitStandards {
  const issues = checkLimitStandards(data);
  if (issues.length > 0) {
    throw new DomainError(
      'MTL_DOMAIN_LIMIT_STANDARDS_INVALID',
      `limit standards failed their checks:\n${issues.map((i) => `  ${i.path}: ${i.message}`).join('\n')}`,
      { issues },
    );
  }
  const set = data as LimitStandardsData;
  return Object.freeze({ id: set.id, version: set.version, products: new Map(set.products.map((p) => [p.id, p])) });
}
