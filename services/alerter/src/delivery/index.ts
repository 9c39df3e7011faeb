export { createDispatcher } from './dispatcher.ts';
export type { Dispatcher, DispatcherDeps } from './dispatcher.ts';
export type { SubscriptionDirectory, WebhookSubscription } from './subscription.ts';
export type { DeliveryAttempt, DeliveryLog } from './delivery-log.ts';
export { ALERT_DELIVERY_MEASUREMENT, createStoreDeliveryLog, readDeliveries } from './store-delivery-log.ts';
export { DEFAULT_DELIVERY_POLICY, deliveryPolicy } from './retry-policy.ts';
export type { DeliveryPolicy } from './retry-policy.ts';
export type { Clock } from './hold.ts';
export { DeliveryAbandonedError } from './delivery-errors.ts';
