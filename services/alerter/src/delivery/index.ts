export { createDispatcher } from './dispatcher.ts';
export type { Dispatcher } from './dispatcher.ts';
export type { WebhookSubscription } from './subscription.ts';
export { createStoreDeliveryLog } from './store-delivery-log.ts';
export { DEFAULT_DELIVERY_POLICY, deliveryPolicy } from './retry-policy.ts';
export type { DeliveryPolicy } from './retry-policy.ts';
export type { Clock } from './hold.ts';
export { DeliveryAbandonedError } from './delivery-errors.ts';
