import type { EnergyBaseline } from './manifest-schema.ts';

/** A declared baseline's period as local days, inclusive (the registry checked both are days, in order). */
export function energyBaselinePeriod(baseline: EnergyBaseline): { from: string; to: string } {
  const [from, to] = baseline.period.split('..') as [string, string];
  return { from, to };
}

/** The local day after `date` (YYYY-MM-DD): where a baseline's reporting begins. */
export const dayAfter = (date: string): string => new Date(Date.parse(`${date}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
