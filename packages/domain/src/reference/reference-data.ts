import gbt2589 from './data/gbt-2589-2020.json' with { type: 'json' };
import gridFactors from './data/cn-grid-factors.json' with { type: 'json' };
import fuels from './data/gbt-32150-fuels.json' with { type: 'json' };
import factorSets from './data/factor-sets.json' with { type: 'json' };
import { DomainError } from '../errors.ts';
import { CARRIERS } from '../carriers.ts';
import { isKnownUnit } from '../units.ts';
import type { Confidence } from './factor.ts';
import { REGION_PATTERN, regionsCover } from './jurisdiction.ts';

/** Shapes of the shipped JSON files (a deployment's additions use the same shapes). */
export interface StandardCoalEntry {
  key: string;
  carrier: string;
  value: number;
  unit: string;
  perUnit: string;
  ncvKJ?: number;
  minPressureMPa?: number;
  confidence: string;
  note?: string;
  range?: number[];
}
interface StandardCoalTable {
  id: string;
  title: string;
  source: string;
  effective: { from: string; until: string | null };
  coefficients: StandardCoalEntry[];
  equalValue: Array<{ key: string; value: number; unit: string; perUnit: string; dataYear: number | null; confidence: string; source: string }>;
}
export interface GridFactorEntry {
  dataYear: number | null;
  level: string;
  region?: string;
  value: number;
  source: string;
  confidence: string;
  effective?: { from: string; until: string };
}
interface GridFactorTable {
  id: string;
  title: string;
  unit: string;
  /** Where the grid's factors apply: a set outside these regions does not fall back on them. */
  regions: string[];
  factors: GridFactorEntry[];
  purchasedHeat: { value: number; unit: string; source: string; confidence: string };
}
interface FuelEntry {
  carrier: string;
  ncv: number;
  ncvUnit: string;
  perUnit: string;
  carbonContent: number;
  oxidation: number;
  co2PerUnit: number;
  ipccKgCO2PerTJ: number;
  ipcc95: number[];
  confidence: string;
  note?: string;
}
interface FuelTable {
  id: string;
  title: string;
  source: string;
  uncertaintySource: string;
  fuels: FuelEntry[];
}
/** A standard-coal coefficient a set sets itself (e.g. oil-field natural gas, 1.3300 kgce/m3 in GB/T 2589-2020). */
interface StandardCoalOverride {
  carrier: string;
  value: number;
  unit: string;
  perUnit: string;
  /** For steam metered by mass: the pressure class it applies from. */
  minPressureMPa?: number;
  source: string;
  confidence: Confidence;
}

export interface FactorSetDefinition {
  name: string;
  version: string;
  /**
   * Where the set applies: ISO 3166-1 countries (CN) or ISO 3166-2 subdivisions (CN-CQ). An
   * enterprise outside them gets no figures from it. Absent: the grid table's regions.
   */
  regions?: string[];
  description: string;
  standardCoal: string;
  gridDataYear: number;
  fuels: string;
  electricityEqualValue: string;
  /** A deployment may pin its own values; they win over the shipped tables. */
  overrides?: {
    gridFactors?: GridFactorEntry[];
    standardCoal?: StandardCoalOverride[];
    electricityEqualValue?: { value: number; dataYear: number; source: string; confidence: Confidence };
  };
}

export interface ReferenceData {
  standardCoal: StandardCoalTable;
  grid: GridFactorTable;
  fuels: FuelTable;
  factorSets: FactorSetDefinition[];
}

/** 1 kgce = 7 000 kcal = 29 307.6 kJ (GB/T 2589-2020, 3.7). */
const KJ_PER_KGCE = 29307.6;
/** Molar mass ratio CO2/C used by GB/T 32150 and IPCC 2006. */
export const CO2_PER_C = 44 / 12;

/**
 * Plausibility bounds for loading. They are deliberately wide: their job is to catch unit
 * slips (a published "0.0013 kgce/m3" for natural gas is 1 000 times too small), not to
 * second-guess the standard.
 */
const BOUNDS = {
  kgcePerKg: [0.05, 2.5],
  kgcePerM3: [0.01, 2.5],
  kgcePerKWh: [0.1, 0.5],
  kgcePerMJ: [0.03, 0.04],
  kgcePerT: [0.01, 1],
  gridTCO2PerMWh: [0, 1.5],
  heatTCO2PerGJ: [0.05, 0.2],
  ncvGJPerT: [10, 60],
  ncvGJPer10kNm3: [300, 450],
  carbonTCPerTJ: [10, 35],
  oxidation: [0.8, 1],
} as const satisfies Record<string, readonly [number, number]>;

/** Tolerance between a published kgce coefficient and NCV / 29 307.6; the tables round with the 4.1816 J/cal calorie, about 0.12 % apart. */
const NCV_CONSISTENCY = 0.005;

export interface ReferenceIssue {
  path: string;
  message: string;
}

function inRange(issues: ReferenceIssue[], path: string, value: unknown, [lo, hi]: readonly [number, number], what: string): void {
  if (typeof value !== 'number' || !Number.isFinite(value)) issues.push({ path, message: `${what}: not a finite number` });
  else if (value < lo || value > hi) issues.push({ path, message: `${what} ${value} outside the plausible range [${lo}, ${hi}]` });
}

const CONFIDENCE = new Set(['H', 'M', 'L']);

/** The plausible range of a standard coal coefficient in its unit, or undefined for a unit no table uses. */
function standardCoalBounds(unit: string): readonly [number, number] | undefined {
  return unit === 'kgce/kg' ? BOUNDS.kgcePerKg
    : unit === 'kgce/m3' ? BOUNDS.kgcePerM3
    : unit === 'kgce/kWh' ? BOUNDS.kgcePerKWh
    : unit === 'kgce/MJ' ? BOUNDS.kgcePerMJ
    : unit === 'kgce/t' ? BOUNDS.kgcePerT
    : undefined;
}

/** Checks every value against its plausible range and its internal consistency; returns all problems. */
export function checkReferenceData(data: ReferenceData): ReferenceIssue[] {
  const issues: ReferenceIssue[] = [];
  data.standardCoal.coefficients.forEach((c, i) => {
    const path = `${data.standardCoal.id}/coefficients/${i}(${c.key})`;
    if (!isKnownUnit(c.perUnit)) issues.push({ path, message: `unknown activity unit ${c.perUnit}` });
    if (!CONFIDENCE.has(c.confidence)) issues.push({ path, message: `confidence must be H, M or L` });
    const bounds = standardCoalBounds(c.unit);
    if (!bounds) issues.push({ path, message: `unexpected unit ${c.unit}` });
    else inRange(issues, path, c.value, bounds, 'standard coal coefficient');
    if (c.ncvKJ !== undefined) {
      // NCV is per kg, m3, kWh or MJ, the same denominator as the coefficient.
      const derived = c.ncvKJ / KJ_PER_KGCE;
      if (Math.abs(derived - c.value) / c.value > NCV_CONSISTENCY) {
        issues.push({ path, message: `coefficient ${c.value} disagrees with NCV ${c.ncvKJ} kJ / 29 307.6 = ${derived.toFixed(4)}` });
      }
    }
  });
  data.standardCoal.equalValue.forEach((e, i) => inRange(issues, `${data.standardCoal.id}/equalValue/${i}`, e.value, [0.25, 0.5], 'equal-value coefficient'));
  data.grid.factors.forEach((f, i) => {
    inRange(issues, `${data.grid.id}/factors/${i}`, f.value, BOUNDS.gridTCO2PerMWh, 'grid factor');
    if (!CONFIDENCE.has(f.confidence)) issues.push({ path: `${data.grid.id}/factors/${i}`, message: 'confidence must be H, M or L' });
  });
  inRange(issues, `${data.grid.id}/purchasedHeat`, data.grid.purchasedHeat.value, BOUNDS.heatTCO2PerGJ, 'purchased heat factor');
  data.fuels.fuels.forEach((f, i) => {
    const path = `${data.fuels.id}/fuels/${i}(${f.carrier})`;
    inRange(issues, path, f.ncv, f.perUnit === 't' ? BOUNDS.ncvGJPerT : BOUNDS.ncvGJPer10kNm3, 'NCV');
    inRange(issues, path, f.carbonContent, BOUNDS.carbonTCPerTJ, 'carbon content');
    inRange(issues, path, f.oxidation, BOUNDS.oxidation, 'oxidation rate');
    if (!isKnownUnit(f.perUnit)) issues.push({ path, message: `unknown activity unit ${f.perUnit}` });
    // GB/T 32150: tCO2/unit = NCV (GJ/unit) x CC (tC/TJ) / 1000 x OF x 44/12.
    const product = (f.ncv * f.carbonContent * f.oxidation * CO2_PER_C) / 1000;
    if (Math.abs(product - f.co2PerUnit) / f.co2PerUnit > 0.002) {
      issues.push({ path, message: `NCV x CC x OF x 44/12 = ${product.toFixed(4)} disagrees with the published ${f.co2PerUnit}` });
    }
    // CC x 44/12 must reproduce the IPCC default factor (kgCO2/TJ) closely.
    const ipcc = f.carbonContent * CO2_PER_C * 1000;
    if (Math.abs(ipcc - f.ipccKgCO2PerTJ) / f.ipccKgCO2PerTJ > 0.02) {
      issues.push({ path, message: `CC x 44/12 = ${ipcc.toFixed(0)} kgCO2/TJ is more than 2 % from IPCC ${f.ipccKgCO2PerTJ}` });
    }
    const [lo, hi] = f.ipcc95;
    if (lo === undefined || hi === undefined || !(lo <= f.ipccKgCO2PerTJ && f.ipccKgCO2PerTJ <= hi)) {
      issues.push({ path, message: 'ipcc95 must be [low, high] around the IPCC default' });
    }
  });
  const seen = new Set<string>();
  for (const s of data.factorSets) {
    const id = `${s.name}@${s.version}`;
    if (seen.has(id)) issues.push({ path: `factor-sets/${id}`, message: 'duplicate factor set' });
    seen.add(id);
    issues.push(...checkFactorSetDefinition(s, data).map((i) => ({ ...i, path: `factor-sets/${id}${i.path}` })));
  }
  return issues;
}

/**
 * Checks one factor set against the tables it names: the standard-coal table (GB/T 2589-2020),
 * the fuel table (GB/T 32150), an equal-value coefficient of that standard-coal table, and a
 * grid data year the grid table has; and its own values (a deployment's custom set) against
 * the same plausibility bounds as the shipped ones, each with a source and a confidence.
 * Paths are JSON pointers into the set.
 */
export function checkFactorSetDefinition(set: FactorSetDefinition, data: ReferenceData = SHIPPED_REFERENCE_DATA): ReferenceIssue[] {
  const issues: ReferenceIssue[] = [];
  if (set.standardCoal !== data.standardCoal.id) issues.push({ path: '/standardCoal', message: `unknown standard-coal table "${set.standardCoal}" (known: ${data.standardCoal.id})` });
  if (set.fuels !== data.fuels.id) issues.push({ path: '/fuels', message: `unknown fuel table "${set.fuels}" (known: ${data.fuels.id})` });
  if (!data.standardCoal.equalValue.some((e) => e.key === set.electricityEqualValue)) {
    issues.push({ path: '/electricityEqualValue', message: `unknown equal-value coefficient "${set.electricityEqualValue}" (known: ${data.standardCoal.equalValue.map((e) => e.key).join(', ')})` });
  }
  const gridOverrides = set.overrides?.gridFactors ?? [];
  const years = new Set([...data.grid.factors, ...gridOverrides].map((f) => f.dataYear));
  if (!years.has(set.gridDataYear)) issues.push({ path: '/gridDataYear', message: `no grid factors of data year ${set.gridDataYear}` });
  gridOverrides.forEach((f, i) => {
    const path = `/overrides/gridFactors/${i}`;
    inRange(issues, `${path}/value`, f.value, BOUNDS.gridTCO2PerMWh, 'grid factor (tCO2/MWh)');
    if (!f.source?.trim()) issues.push({ path: `${path}/source`, message: 'a factor needs its source' });
    if (!CONFIDENCE.has(f.confidence)) issues.push({ path: `${path}/confidence`, message: 'confidence must be H, M or L' });
    if (f.level === 'provincial' && !f.region) issues.push({ path: `${path}/region`, message: 'a provincial factor names its region' });
    if (f.region && set.regions && f.level === 'provincial' && !regionsCover(set.regions, f.region)) {
      issues.push({ path: `${path}/region`, message: `${f.region} is outside the set's regions (${set.regions.join(', ')})` });
    }
  });
  if (set.regions !== undefined) {
    if (set.regions.length === 0) issues.push({ path: '/regions', message: 'a set covers at least one region (omit regions for those of the tables it takes)' });
    set.regions.forEach((r, i) => {
      if (!REGION_PATTERN.test(r)) issues.push({ path: `/regions/${i}`, message: `"${r}" is not an ISO 3166-1 country (CN) or ISO 3166-2 subdivision (CN-CQ)` });
    });
  }
  (set.overrides?.standardCoal ?? []).forEach((c, i) => {
    const path = `/overrides/standardCoal/${i}`;
    if (!(CARRIERS as readonly string[]).includes(c.carrier)) issues.push({ path: `${path}/carrier`, message: `unknown carrier "${c.carrier}"` });
    if (!isKnownUnit(c.perUnit)) issues.push({ path: `${path}/perUnit`, message: `unknown activity unit "${c.perUnit}"` });
    const bounds = standardCoalBounds(c.unit);
    if (!bounds) issues.push({ path: `${path}/unit`, message: `unit must be kgce/kg, kgce/m3, kgce/kWh, kgce/MJ or kgce/t, got "${c.unit}"` });
    else inRange(issues, `${path}/value`, c.value, bounds, `standard coal coefficient (${c.unit})`);
    if (!c.source?.trim()) issues.push({ path: `${path}/source`, message: 'a factor needs its source' });
    if (!CONFIDENCE.has(c.confidence)) issues.push({ path: `${path}/confidence`, message: 'confidence must be H, M or L' });
  });
  const equal = set.overrides?.electricityEqualValue;
  if (equal) {
    inRange(issues, '/overrides/electricityEqualValue/value', equal.value, [0.25, 0.5], 'equal-value coefficient (kgce/kWh)');
    if (!equal.source?.trim()) issues.push({ path: '/overrides/electricityEqualValue/source', message: 'a factor needs its source' });
    if (!CONFIDENCE.has(equal.confidence)) issues.push({ path: '/overrides/electricityEqualValue/confidence', message: 'confidence must be H, M or L' });
  }
  return issues;
}

/** The shipped reference data, as imported. Check it with checkReferenceData before use (loadReferenceData does). */
export const SHIPPED_REFERENCE_DATA: ReferenceData = {
  standardCoal: gbt2589,
  grid: gridFactors,
  fuels,
  factorSets: factorSets.sets,
};

/** Returns the reference data after range checks, or throws a DomainError listing every problem. */
export function loadReferenceData(data: ReferenceData = SHIPPED_REFERENCE_DATA): ReferenceData {
  const issues = checkReferenceData(data);
  if (issues.length > 0) {
    throw new DomainError(
      'MTL_DOMAIN_REFERENCE_OUT_OF_RANGE',
      `reference data failed its checks:\n${issues.map((i) => `  ${i.path}: ${i.message}`).join('\n')}`,
      { issues },
    );
  }
  return data;
}
