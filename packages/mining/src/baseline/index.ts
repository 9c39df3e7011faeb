// Energy baselines, fit criteria, savings and anomalies (issue 20).
export {};
