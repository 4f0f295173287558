import type { Reply } from '../types.js';

/** What an outbox row carries, by kind. */
export type OutboxPayload =
  | { kind: 'message'; reply: Reply; sessionWebhook?: string; sessionWebhookExpiresAt?: number; responseUrl?: string }
  /** Grey out the buttons of every card sent under `ref`, except for `exceptUserId`. */
  | { kind: 'card-update'; ref: string; text: string; exceptUserId?: string };
