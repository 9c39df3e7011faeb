export * from './types.ts';
export { ERROR_EXCERPT_CHARS, outcomeOfAnswer, parseRetryAfter, unsendableReason } from './outcome.ts';
export { InMemoryWebhookSender } from './in-memory-webhook-sender.ts';
export type { RecordedRequest, Responder, ScriptedReply } from './in-memory-webhook-sender.ts';
