export { UndiciWebhookSender } from './undici-webhook-sender.ts';
export type { UndiciWebhookSenderOptions } from './undici-webhook-sender.ts';
