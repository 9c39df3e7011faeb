/**
 * An instant as every input spells it: ISO 8601 with its offset (RFC 3339), e.g.
 * 2026-03-01T08:00:00+08:00. One parser for all of them (MQTT payloads, the API, the CLI's
 * readings file, the registry manifest), so an impossible date is refused wherever it enters.
 */
const INSTANT_PARTS = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(?:Z|([+-])(\d{2}):(\d{2}))$/;

/**
 * Epoch milliseconds of an ISO 8601 timestamp with offset, or undefined when a part is out
 * of range. Stricter than Date.parse, which rolls 30 February over into March and accepts 24:00.
 */
export function parseInstant(text: string): number | undefined {
  const m = INSTANT_PARTS.exec(text);
  if (!m) return undefined;
  const [year, month, day, hour, minute, second, , offsetHour, offsetMinute] = m.slice(1).map((x) => (x === undefined ? 0 : Number(x)));
  const daysInMonth = new Date(Date.UTC(year!, month, 0)).getUTCDate();
  if (month! < 1 || month! > 12 || day! < 1 || day! > daysInMonth) return undefined;
  if (hour! > 23 || minute! > 59 || second! > 59 || offsetHour! > 23 || offsetMinute! > 59) return undefined;
  const ms = Date.parse(text);
  return Number.isNaN(ms) ? undefined : ms;
}
