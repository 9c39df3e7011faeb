import { DomainError } from '../errors.ts';
import type { GridRegion, Scope2Level } from '../registry/manifest-schema.ts';
import type { Confidence, Factor, FuelFactor } from './factor.ts';
import { CO2_PER_C, loadReferenceData, SHIPPED_REFERENCE_DATA, type FactorSetDefinition, type GridFactorEntry, type ReferenceData, type StandardCoalEntry } from './reference-data.ts';
import { regionsCover, regionsWithin } from './jurisdiction.ts';

export interface GridFactorQuery {
  level: Scope2Level;
  /** ISO 3166-2 subdivision, for the provincial level. */
  region: string;
  gridRegion: GridRegion;
  /** Start of the accounted period (YYYY-MM-DD), for factors with an effective period (ETS). */
  date: string;
}

type FactorLookup<T> = { ok: true; factor: T } | { ok: false; error: DomainError };

/** A named, versioned choice of coefficients. Every figure records `id`. */
export interface FactorSet {
  readonly id: string;
  readonly name: string;
  readonly version: string;
  readonly gridDataYear: number;
  /** Where the set applies (ISO 3166 countries or subdivisions); see jurisdiction.ts. */
  readonly regions: readonly string[];
  standardCoal(carrier: string, perUnitDimensionHint: 'energy' | 'mass' | 'volume', steamPressureMPa?: number): FactorLookup<Factor>;
  electricityEqualValue(): Factor;
  gridFactor(query: GridFactorQuery): FactorLookup<Factor>;
  /** The nearest Chinese proxy for a residual mix (national, excluding market-traded non-fossil power). */
  residualMixFactor(): FactorLookup<Factor>;
  purchasedHeatFactor(): Factor;
  fuel(carrier: string): FactorLookup<FuelFactor>;
}

/** What the catalogue needs of an enterprise to give it its set: the set it is pinned to and where it is. */
interface PinnedEnterprise {
  id: string;
  region: string;
  factorSet: { name: string; version: string };
}

export interface FactorCatalog {
  resolve(name: string, version: string): FactorLookup<FactorSet>;
  /** The enterprise's pinned set, refused when the set does not cover the enterprise's region. */
  resolveFor(enterprise: PinnedEnterprise): FactorLookup<FactorSet>;
  list(): Array<{ name: string; version: string; description: string }>;
}

const notFound = (message: string, details: Record<string, unknown>): { ok: false; error: DomainError } => ({
  ok: false,
  error: new DomainError('MTL_DOMAIN_FACTOR_NOT_FOUND', message, details),
});

/**
 * Builds the catalogue of factor sets from checked reference data plus a deployment's own
 * sets (added sets may not reuse a shipped name and version: a published set never changes).
 */
export function createFactorCatalog(extraSets: FactorSetDefinition[] = [], data: ReferenceData = SHIPPED_REFERENCE_DATA): FactorCatalog {
  const ref = loadReferenceData({ ...data, factorSets: [...data.factorSets, ...extraSets] });
  const all = ref.factorSets;
  const resolve: FactorCatalog['resolve'] = (name, version) => {
    const def = all.find((s) => s.name === name && s.version === version);
    if (!def) {
      return {
        ok: false,
        error: new DomainError(
          'MTL_DOMAIN_FACTOR_SET_NOT_FOUND',
          `no factor set ${name}@${version} (known: ${all.map((s) => `${s.name}@${s.version}`).join(', ')})`,
          { name, version },
        ),
      };
    }
    return { ok: true, factor: buildFactorSet(def, ref) };
  };
  return {
    list: () => all.map((s) => ({ name: s.name, version: s.version, description: s.description })),
    resolve,
    resolveFor: (enterprise) => {
      const found = resolve(enterprise.factorSet.name, enterprise.factorSet.version);
      if (!found.ok || regionsCover(found.factor.regions, enterprise.region)) return found;
      return { ok: false, error: outsideJurisdiction(found.factor, enterprise) };
    },
  };
}

function outsideJurisdiction(set: FactorSet, enterprise: PinnedEnterprise): DomainError {
  return new DomainError(
    'MTL_DOMAIN_FACTOR_SET_OUTSIDE_REGION',
    `enterprise ${enterprise.id} is in ${enterprise.region}, which factor set ${set.id} does not cover (it covers ${set.regions.join(', ')}): pin a set that covers ${enterprise.region}`,
    { enterprise: enterprise.id, region: enterprise.region, factorSet: set.id, covers: set.regions },
  );
}

function buildFactorSet(def: FactorSetDefinition, ref: ReferenceData): FactorSet {
  const table = ref.standardCoal;
  const gridUnit = ref.grid.unit;
  const regions = def.regions ?? ref.grid.regions;
  // A set outside the grid table's jurisdiction (an enterprise in Berlin) has only its own grid
  // factors: falling back on China's would give a foreign plant a Chinese scope 2 without a word.
  const shippedGrid = regionsWithin(regions, ref.grid.regions) ? ref.grid.factors : [];
  const gridEntries: GridFactorEntry[] = [...(def.overrides?.gridFactors ?? []), ...shippedGrid];
  const coalOverrides = def.overrides?.standardCoal ?? [];
  const toGridFactor = (e: GridFactorEntry): Factor => ({
    key: `grid/${e.level}/${e.region ?? 'CN'}/${e.dataYear ?? 'ets'}`,
    value: e.value,
    unit: gridUnit,
    perUnit: 'MWh',
    source: e.source,
    confidence: e.confidence as Confidence,
  });
  return {
    id: `${def.name}@${def.version}`,
    name: def.name,
    version: def.version,
    gridDataYear: def.gridDataYear,
    regions,
    standardCoal(carrier, dimension, steamPressureMPa) {
      // The set's own coefficients for a carrier replace the table's for it, each with its own source.
      const own = coalOverrides.filter((c) => c.carrier === carrier);
      let candidates: Array<StandardCoalEntry & { source?: string }> = own.length > 0
        ? own.map((c) => ({ ...c, key: `override/${c.carrier}${c.minPressureMPa === undefined ? '' : `-${c.minPressureMPa}mpa`}` }))
        : table.coefficients.filter((c) => c.carrier === carrier);
      if (carrier === 'steam') {
        if (dimension === 'mass') {
          if (steamPressureMPa === undefined) return notFound('steam metered by mass needs steamPressureMPa for its standard coal coefficient', { carrier });
          // The highest pressure class not above the steam's pressure.
          candidates = candidates
            .filter((c) => c.minPressureMPa !== undefined && c.minPressureMPa <= steamPressureMPa)
            .sort((a, b) => (b.minPressureMPa ?? 0) - (a.minPressureMPa ?? 0))
            .slice(0, 1);
        } else {
          candidates = candidates.filter((c) => c.minPressureMPa === undefined);
        }
      }
      const c = candidates[0];
      if (!c) return notFound(`no standard coal coefficient for ${carrier} in ${table.id}`, { carrier });
      const [lo, hi] = c.range ?? [];
      return {
        ok: true,
        factor: {
          key: c.source === undefined ? `${table.id}/${c.key}` : c.key,
          value: c.value,
          unit: c.unit,
          perUnit: c.perUnit,
          source: c.source ?? `${table.id}: ${table.source}`,
          confidence: c.confidence as Confidence,
          // A published range is read as a rectangular distribution: u = half-width / sqrt(3) (GUM 4.3.7).
          ...(lo !== undefined && hi !== undefined ? { relativeUncertainty: (hi - lo) / 2 / Math.sqrt(3) / c.value } : {}),
          ...(c.note ? { note: c.note } : {}),
        },
      };
    },
    electricityEqualValue() {
      const o = def.overrides?.electricityEqualValue;
      if (o) return { key: `override/equal-value/${o.dataYear}`, value: o.value, unit: 'kgce/kWh', perUnit: 'kWh', source: o.source, confidence: o.confidence };
      const e = table.equalValue.find((x) => x.key === def.electricityEqualValue)!;
      return { key: `${table.id}/${e.key}`, value: e.value, unit: e.unit, perUnit: e.perUnit, source: e.source, confidence: e.confidence as Confidence };
    },
    gridFactor(q) {
      let entry: GridFactorEntry | undefined;
      if (q.level === 'ets') {
        entry = gridEntries.find((e) => e.level === 'ets' && e.effective !== undefined && e.effective.from <= q.date && q.date <= e.effective.until);
      } else {
        const region = q.level === 'regional' ? q.gridRegion : q.level === 'provincial' ? q.region : undefined;
        entry = gridEntries.find((e) => e.dataYear === def.gridDataYear && e.level === q.level && e.region === region);
      }
      if (!entry) {
        return notFound(
          `factor set ${def.name}@${def.version} has no ${q.level} grid factor${q.level === 'ets' ? ` in force on ${q.date}` : ` for ${q.level === 'regional' ? q.gridRegion : q.region} in data year ${def.gridDataYear}`}`,
          { ...q, factorSet: `${def.name}@${def.version}` },
        );
      }
      return { ok: true, factor: toGridFactor(entry) };
    },
    residualMixFactor() {
      // A set's own residual mix first; else China's proxy, when the set may use China's grid table.
      const entry = gridEntries.find((e) => e.dataYear === def.gridDataYear && e.level === 'residual-mix')
        ?? gridEntries.find((e) => e.dataYear === def.gridDataYear && e.level === 'national-excl-market-nonfossil');
      return entry ? { ok: true, factor: toGridFactor(entry) } : notFound(`no residual-mix proxy in data year ${def.gridDataYear}`, {});
    },
    purchasedHeatFactor() {
      const h = ref.grid.purchasedHeat;
      return { key: 'purchased-heat', value: h.value, unit: h.unit, perUnit: 'GJ', source: h.source, confidence: h.confidence as Confidence };
    },
    fuel(carrier) {
      const f = ref.fuels.fuels.find((x) => x.carrier === carrier);
      if (!f) return notFound(`no combustion parameters for ${carrier} in ${ref.fuels.id}`, { carrier });
      const [lo, hi] = f.ipcc95 as [number, number];
      // The IPCC 95 % interval is read as +-1.96 u around the default (IPCC 2006 Vol. 1 Ch. 3, 3.2.2.4); the wider side is used.
      const halfWidth = Math.max(hi - f.ipccKgCO2PerTJ, f.ipccKgCO2PerTJ - lo);
      return {
        ok: true,
        factor: {
          carrier,
          ncv: f.ncv,
          perUnit: f.perUnit,
          carbonContent: f.carbonContent,
          oxidation: f.oxidation,
          co2PerUnit: (f.ncv * f.carbonContent * f.oxidation * CO2_PER_C) / 1000,
          source: `${ref.fuels.id}: ${ref.fuels.source}`,
          confidence: f.confidence as Confidence,
          relativeUncertainty: halfWidth / 1.96 / f.ipccKgCO2PerTJ,
        },
      };
    },
  };
}
