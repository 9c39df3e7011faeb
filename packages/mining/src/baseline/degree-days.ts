/**
 * Degree days of one day from its mean temperature and a balance-point (base) temperature,
 * in the unit of both (°C unless the caller says otherwise):
 *   HDD = max(0, base − mean), CDD = max(0, mean − base).
 * The mean-temperature method; the balance point is what the candidate search varies.
 */
export function heatingDegreeDays(meanTemperature: number, baseTemperature: number): number {
  return Math.max(0, baseTemperature - meanTemperature);
}

export function coolingDegreeDays(meanTemperature: number, baseTemperature: number): number {
  return Math.max(0, meanTemperature - baseTemperature);
}
