// Energy baselines, fit criteria, savings and anomalies (issue 20). Types are exported as a
// consumer needs them (knip reports exports nobody uses); the rest are reachable as the
// return types of the functions.
export { studentTCdf, studentTQuantile, twoSidedPValue, twoSidedCriticalT, regularizedIncompleteBeta } from './student-t.ts';
export { fitOls, lagOneAutocorrelation, INTERCEPT } from './ols.ts';
export { ASHRAE_GUIDELINE_14_CRITERIA, fitStatistics, judgeFit, type FitVerdict } from './fit-criteria.ts';
export { heatingDegreeDays, coolingDegreeDays } from './degree-days.ts';
export type { Observation } from './observation.ts';
export { fitBaseline, predict, type BaselineModel } from './baseline-model.ts';
export { searchCandidates, withDegreeDays, type DayObservation } from './candidate-search.ts';
export { savingsWithUncertainty, convertSavings, type MeterErrorModel, type Savings } from './savings.ts';
export { ratioEnpi, enpiChange, periodEnpis } from './enpi.ts';
export { outsidePredictionInterval } from './interval-anomalies.ts';
export { tabularCusum } from './cusum.ts';
export { baseLoadByBucket, type HourlyConsumption } from './base-load.ts';
export { dailyBaseline, DAILY_VARIABLES, type DailyBaseline, type DailyInput, type DailyVariable } from './daily-baseline.ts';
export { MINING_ERRORS } from './errors.ts';
