import type { MeteringPoint } from '../registry/manifest-schema.ts';
import type { AllocationOptions } from '../counter/allocate-to-period.ts';
import type { RegisterInterval } from '../counter/register-intervals.ts';
import { tryConvertUnit } from '../units.ts';
import type { BalanceResult } from './energy-balance.ts';
import { emptyTerm, scaleTerm, type Figure, type Term } from './figure.ts';
import type { PointConsumption } from './point-consumption.ts';
import type { ManualEntry } from '../manual/manual-entry.ts';

/** The shapes of an enterprise's accounting and the helpers its sections share. */

/** The interpolation limit is not an option: it follows each point's cadence (point-consumption.ts). */
export interface AccountingOptions extends Omit<AllocationOptions, 'maxInterpolationGapMs'> {
  /** Also give standard coal with electricity at its equal value (等价值). */
  equalValue?: boolean;
  /** Balance threshold in percent on top of the uncertainty test, per site id or '*' for all. */
  balanceThresholdPercent?: Record<string, number>;
  /**
   * The enterprise's manual entries, superseded ones included (the accounting keeps those that
   * stand): deliveries and stock of unmetered fuels, production, output value, value added.
   */
  manualEntries?: readonly ManualEntry[];
}

export interface AccountingIssue {
  code: string;
  message: string;
  pointId?: string;
}

interface SuspectInterval {
  start: string;
  end: string;
  status: RegisterInterval['status'];
  startRegister: number;
  endRegister: number;
  rejectedDelta: number | null;
}

export interface PointFigures {
  id: string;
  name: string | null;
  siteId: string;
  carrier: string;
  quantity: string;
  role: string;
  parent: string | null;
  consumption: Figure;
  /** Standard coal, equivalent value, in tce (null when no coefficient applies). */
  tce: Figure | null;
  suspects: SuspectInterval[];
}

export interface CarbonFigures {
  /** Combustion, GB/T 32150: FC × NCV × CC × OF × 44/12, per fuel. */
  scope1: Figure;
  scope1ByFuel: Array<{ carrier: string; activity: Figure; co2: Figure }>;
  /** Purchased electricity × grid factor at the enterprise's level (GHG Protocol location-based). */
  scope2Location: Figure;
  scope2LocationFactor: { level: string; value: number; unit: string; source: string } | null;
  /** Contractual instruments first, then the residual-mix proxy (GHG Protocol market-based). */
  scope2Market: Figure;
  /** Purchased heat and steam × 0.11 tCO2/GJ. */
  purchasedHeat: Figure;
  /**
   * Exported electricity × the same grid factor, with a NEGATIVE sign: a deduction, shown
   * apart from scope 2 and used only in the net total.
   */
  exportedElectricity: Figure;
  /** scope1 + scope2Location + purchasedHeat. */
  totalLocation: Figure;
  /** scope1 + scope2Market + purchasedHeat. */
  totalMarket: Figure;
  /** totalLocation + exportedElectricity (net purchased electricity, as the Chinese guidelines count it). */
  totalLocationNetOfExports: Figure;
}

export type BalanceFigures = BalanceResult & { siteId: string; carrier: string; unit: string; factorSet: string };

/** Per unit of production; tCO2 only for enterprise-wide production (site carbon is not split). */
export interface IntensityFigures {
  product: string;
  siteId: string | null;
  production: number;
  productionUnit: string;
  /** Relative standard uncertainty of `production` (0 for a booked quantity without a declared error). */
  productionRelativeU: number;
  tcePerUnit: Figure;
  tCO2PerUnit: Figure | null;
}

export interface EnterpriseFigures {
  id: string;
  name: string;
  region: string;
  gridRegion: string;
  timeZone: string;
  scope2Level: string;
  factorSet: string;
  period: { key: string; kind: string; start: string; end: string };
  points: PointFigures[];
  sites: Array<{ id: string; name: string; tce: Figure }>;
  /** Comprehensive energy consumption, GB/T 2589-2020: boundary inputs − boundary outputs, in tce. */
  tceEquivalent: Figure;
  tceEqualValue: Figure | null;
  balances: BalanceFigures[];
  carbon: CarbonFigures;
  intensities: IntensityFigures[];
  /** The standing manual entries this accounting used (ids, sorted); every figure resting on one is flagged manual. */
  manualEntries: string[];
  issues: AccountingIssue[];
}

/** A metering point that gets consumption, with the site it belongs to. */
export interface AccountedPoint {
  point: MeteringPoint;
  siteId: string;
}

/** An accounted point with its consumption over the period. */
export interface ConsumedPoint extends AccountedPoint {
  term: Term;
  suspects: PointConsumption['suspects'];
}

/** A term counted toward the enterprise boundary: + for an input, − for an output. */
export interface SignedTerm {
  term: Term;
  sign: 1 | -1;
}

/** +1 for a boundary input, −1 for a boundary output, 0 inside the boundary. */
export const boundarySign = (p: MeteringPoint): 1 | -1 | 0 =>
  p.topology.role === 'boundary-input' ? 1 : p.topology.role === 'boundary-output' ? -1 : 0;

/** Converts a term between units of one dimension (uncertainty scales with it). */
export function convertTerm(t: Term, from: string, to: string): Term | undefined {
  const r = tryConvertUnit(1, from, to);
  return r.ok ? scaleTerm(t, r.value, 0) : undefined;
}

/** A term that could not be computed: nothing counted, flagged incomplete, with the coverage and readings of its input. */
export const incompleteTerm = (input: Pick<Term, 'coverage' | 'readingsReceived' | 'readingsExpected'>): Term => ({
  ...emptyTerm(),
  coverage: input.coverage,
  readingsReceived: input.readingsReceived,
  readingsExpected: input.readingsExpected,
  flags: new Set(['incomplete']),
});
