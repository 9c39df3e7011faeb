/**
 * Share of a point's rated power drawn at a given local hour: a night base load, a ramp
 * into the working day, a lunch dip and lower weekends — the shape of a day-shift plant.
 */
export function loadFactor(localHour: number, weekday: number): number {
  const weekend = weekday === 0 || weekday === 6;
  let factor: number;
  if (localHour < 6) factor = 0.25;
  else if (localHour < 8) factor = 0.25 + ((localHour - 6) / 2) * 0.55;
  else if (localHour < 12) factor = 0.8;
  else if (localHour < 13) factor = 0.6;
  else if (localHour < 18) factor = 0.85;
  else if (localHour < 22) factor = 0.5;
  else factor = 0.3;
  return weekend ? factor * 0.45 : factor;
}
