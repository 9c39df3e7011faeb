const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/**
 * ISO 8601 with a fixed offset, as a meter in that zone would stamp it:
 * 2026-03-01T08:15:00+08:00, or 2026-03-01T08:15:00.250+08:00 for an instant between
 * seconds (a reader of the text must get the instant back, not the second it fell in).
 */
export function formatWithOffset(epochMs: number, offsetMinutes: number): string {
  const local = new Date(epochMs + offsetMinutes * 60_000);
  const sign = offsetMinutes < 0 ? '-' : '+';
  const abs = Math.abs(offsetMinutes);
  const millis = local.getUTCMilliseconds();
  return (
    `${local.getUTCFullYear()}-${pad(local.getUTCMonth() + 1)}-${pad(local.getUTCDate())}` +
    `T${pad(local.getUTCHours())}:${pad(local.getUTCMinutes())}:${pad(local.getUTCSeconds())}` +
    (millis === 0 ? '' : `.${pad(millis, 3)}`) +
    `${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`
  );
}
