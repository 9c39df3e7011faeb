import { WEBHOOK_BODY_VERSION, type AlertNotificationV1, type WebhookBodyV1 } from '@meterline/contracts';

/** The webhook body in Meterline's own format: the notification without the routing members. */
export function meterlineBody(notification: AlertNotificationV1): WebhookBodyV1 {
  return {
    version: WEBHOOK_BODY_VERSION,
    notificationId: notification.notificationId,
    enterpriseId: notification.enterpriseId,
    rule: notification.rule,
    status: notification.status,
    groupKey: notification.groupKey,
    repeat: notification.repeat,
    createdAt: notification.createdAt,
    alerts: notification.alerts,
  };
}
