export type Confidence = 'H' | 'M' | 'L';

/** One cited coefficient: `value` in `unit`, i.e. per one `perUnit` of the activity. */
export interface Factor {
  readonly key: string;
  readonly value: number;
  /** e.g. "kgce/kWh", "tCO2/MWh". */
  readonly unit: string;
  /** The activity unit the factor applies to; a known unit (kWh, kg, Nm3, MWh, GJ, t). */
  readonly perUnit: string;
  readonly source: string;
  readonly confidence: Confidence;
  /** Relative standard uncertainty u(x)/x when a source gives one; undefined when unknown. */
  readonly relativeUncertainty?: number;
  readonly note?: string;
}

/** Fuel combustion parameters, GB/T 32150: E = FC x NCV x CC x OF x 44/12. */
export interface FuelFactor {
  readonly carrier: string;
  /** GJ per perUnit. */
  readonly ncv: number;
  readonly perUnit: string;
  /** tC per TJ. */
  readonly carbonContent: number;
  readonly oxidation: number;
  /** tCO2 per perUnit, the product NCV x CC x OF x 44/12. */
  readonly co2PerUnit: number;
  readonly source: string;
  readonly confidence: Confidence;
  readonly relativeUncertainty?: number;
}
