import { AlertNotificationV1, compileValidator } from '@meterline/contracts';

const validator = compileValidator(AlertNotificationV1);

export type DecodedNotification = { ok: true; notification: AlertNotificationV1 } | { ok: false; detail: string };

/** A record of the notifications topic: JSON of AlertNotificationV1, or why it is not. */
export function decodeNotification(value: Buffer): DecodedNotification {
  let parsed: unknown;
  try {
    parsed = JSON.parse(value.toString('utf8'));
  } catch (error) {
    return { ok: false, detail: `not JSON: ${(error as Error).message}` };
  }
  const checked = validator.validate(parsed);
  if (!checked.ok) return { ok: false, detail: `not an alert notification v1: ${checked.issues.map((i) => `${i.path || '/'} ${i.message}`).join('; ')}` };
  return { ok: true, notification: checked.value };
}
