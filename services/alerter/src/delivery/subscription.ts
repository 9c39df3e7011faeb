/** What the dispatcher needs of a subscription to deliver to it. */
export interface WebhookSubscription {
  id: string;
  /** Notifications of another enterprise are never sent to it, whatever the record says. */
  enterpriseId: string;
  url: string;
  /** Signs every attempt (HMAC-SHA256). */
  secret: string;
  /**
   * While a secret is rotated: attempts are signed with both (`v1=<new>,v1=<old>`), so the
   * receiver can switch secrets at its own pace; drop it once it has.
   */
  previousSecret?: string;
  /** meterline: WebhookBodyV1; alertmanager: Prometheus Alertmanager's webhook body, version 4. */
  format: 'meterline' | 'alertmanager';
  /** Token bucket: `burst` requests at once, refilled at `perMinute`; both > 0. */
  rateLimit: { perMinute: number; burst: number };
}

/**
 * Where the dispatcher looks a subscription up when it starts delivering a notification, so
 * a changed URL, secret or removal applies from the next notification (and to a notification
 * handed back and delivered again). Undefined: not configured (any more).
 */
export interface SubscriptionDirectory {
  subscription(id: string): WebhookSubscription | undefined;
}
