import { signStandardWebhook, signWebhook, STANDARD_WEBHOOK_HEADERS, WEBHOOK_HEADERS, type AlertNotificationV1 } from '@meterline/contracts';
import { alertmanagerBody } from './alertmanager-body.ts';
import { meterlineBody } from './meterline-body.ts';
import type { WebhookSubscription } from './subscription.ts';

/** Sent as User-Agent: names Meterline and the webhook's version, so receivers can route and log it. */
export const WEBHOOK_USER_AGENT = 'Meterline-Webhook/1';

/**
 * The body of a notification for a subscription, rendered once: every attempt sends these
 * exact bytes (only the timestamp and signature headers change).
 */
export function renderWebhookBody(notification: AlertNotificationV1, subscription: WebhookSubscription, externalURL: string): string {
  const body = subscription.format === 'alertmanager' ? alertmanagerBody(notification, subscription.id, externalURL) : meterlineBody(notification);
  return JSON.stringify(body);
}

/**
 * The headers of one attempt, signed at `nowMs` with the subscription's secret(s): Meterline's
 * own (`meterline-*`) and the Standard Webhooks set (`webhook-*`), so a receiver may verify
 * either way. The webhook id is the notification id, which the alerter makes (32 hex digits):
 * no full stop can blur where the signed id ends.
 */
export function webhookHeaders(input: { notificationId: string; subscription: WebhookSubscription; body: string; nowMs: number; userAgent: string }): Record<string, string> {
  const timestamp = Math.floor(input.nowMs / 1000);
  const secrets = [input.subscription.secret, ...(input.subscription.previousSecret ? [input.subscription.previousSecret] : [])];
  return {
    'content-type': 'application/json',
    'user-agent': input.userAgent,
    [WEBHOOK_HEADERS.idempotencyKey]: input.notificationId,
    [WEBHOOK_HEADERS.timestamp]: String(timestamp),
    [WEBHOOK_HEADERS.signature]: secrets.map((secret) => signWebhook(secret, timestamp, input.body)).join(','),
    [STANDARD_WEBHOOK_HEADERS.id]: input.notificationId,
    [STANDARD_WEBHOOK_HEADERS.timestamp]: String(timestamp),
    // The spec's list separator is a space (its signatures contain commas).
    [STANDARD_WEBHOOK_HEADERS.signature]: secrets.map((secret) => signStandardWebhook(secret, input.notificationId, timestamp, input.body)).join(' '),
  };
}
