// Energy baselines, fit criteria, savings and anomalies (issue 20).
export { studentTCdf, studentTQuantile, twoSidedPValue, twoSidedCriticalT, regularizedIncompleteBeta } from './student-t.ts';
export { BASELINE_ERROR_CODES, type BaselineError, type BaselineErrorCode, type Result } from './errors.ts';
export { fitOls, lagOneAutocorrelation, INTERCEPT, type Regressor, type Coefficient, type OlsFit } from './ols.ts';
export {
  ASHRAE_GUIDELINE_14_CRITERIA,
  fitStatistics,
  judgeFit,
  type Granularity,
  type Criterion,
  type CriterionSource,
  type CriterionName,
  type GranularityCriteria,
  type FitCriteria,
  type FitStatistics,
  type FailedCriterion,
  type FitVerdict,
} from './fit-criteria.ts';
export { heatingDegreeDays, coolingDegreeDays } from './degree-days.ts';
export type { Observation } from './observation.ts';
export { fitBaseline, predict, type BaselineModel, type FitBaselineOptions, type Prediction } from './baseline-model.ts';
export {
  searchCandidates,
  withDegreeDays,
  type DayObservation,
  type CandidateKind,
  type BalancePoints,
  type CandidateSearchOptions,
  type Candidate,
  type CandidateSearchResult,
} from './candidate-search.ts';
export { savingsWithUncertainty, convertSavings, type MeterErrorModel, type SavingsOptions, type Savings, type ConversionCoefficient } from './savings.ts';
export { ratioEnpi, enpiChange, periodEnpis, type EnpiChange, type PeriodEnpi } from './enpi.ts';
export { outsidePredictionInterval, type IntervalAnomaly } from './interval-anomalies.ts';
export { tabularCusum, type CusumOptions, type CusumPoint, type ChangePoint } from './cusum.ts';
export { baseLoadByBucket, type HourlyConsumption, type BaseLoadOptions, type LoadLevel, type BaseLoadBucket } from './base-load.ts';
