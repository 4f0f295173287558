import type { Reply, ReplyHandle } from '../channels/contract.js';

/** An outbox row's target kind; the row's `door` is the channel id. */
export type OutboxTargetKind = 'user' | 'group' | 'reply' | 'update';

/** What an outbox row carries, by kind. */
export type OutboxPayload =
  /**
   * `handle` is set on 'reply' rows: the channel's own way back to the message (its targetId is only
   * the lane). `correlationId`: the message a late answer belongs to, for the dispatcher's log lines.
   */
  | { kind: 'message'; reply: Reply; handle?: ReplyHandle; correlationId?: string }
  /** Grey out the buttons of every card sent under `ref` on the row's channel, except the one `except` pressed. */
  | { kind: 'card-update'; ref: string; text: string; except?: { channel: string; userId: string } };
