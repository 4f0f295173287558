import type { Transaction } from 'sequelize';
import type { ApprovalRequest } from '../models/index.js';
import type { OperatorLike } from './context.js';

/**
 * What core-facing doors need of chat notifications, without knowing the messengers.
 * The bot's Notifier implements it; the composition root (cli/server) hands it to doors.
 */
export interface ApprovalNotifier {
  /**
   * Approval cards to every approver and a group notice that @-mentions them. With `transaction`,
   * they are queued in it (requestDeletion's `notify`), so they commit or roll back with the request.
   */
  approvalRequested(
    request: ApprovalRequest,
    requester: OperatorLike,
    customerName: string,
    opts?: { transaction?: Transaction },
  ): Promise<unknown>;
  /** A message to one operator on every channel they are reachable on (merge approvals use it); queued in `t` when given. */
  toOperator?(
    op: { id: number },
    reply: { title?: string; text: string },
    ref?: string | null,
    t?: Transaction,
  ): Promise<void>;
}

/** A button on a notice: `id` says what a press means (see buttonId), `text` is its label. */
export interface NoticeButton {
  id: string;
  text: string;
}

/** A message for chat, as core and jobs write it; the bot's Reply has the same shape. */
export interface Notice {
  text: string;
  title?: string;
  buttons?: NoticeButton[];
  /** External user ids to @-mention (filled in by the bot per channel). */
  mentions?: string[];
  /** Buttons that open URLs (signed pages), for channels whose cards cannot call back. */
  links?: { text: string; url: string }[];
}

/** What a button press may stand for; bot/buttons.ts maps each verb to the chat command it means. */
export const BUTTON_VERBS = [
  'confirm',
  'confirm-partial',
  'cancel',
  'approve',
  'reject',
  'deactivate',
  'keep',
  'deactivate-all',
  'pick',
  'help',
  'approve-merge',
  'reject-merge',
  'approve-recode',
  'reject-recode',
] as const;
export type ButtonVerb = (typeof BUTTON_VERBS)[number];

/** A button id for a verb and argument (spaces become underscores); short and ASCII for WeCom keys. */
export function buttonId(verb: ButtonVerb, arg = ''): string {
  return arg ? `${verb}:${arg.replace(/\s+/g, '_')}` : verb;
}

/**
 * The outbox as jobs see it: notices queued in bot_outbox and sent by whichever instance
 * dispatches. The bot's Notifier implements it; the composition root hands it to the scheduler,
 * so jobs never import bot/.
 */
export interface OutboxPort {
  /** A notice to one operator on every channel they are reachable on (and the console inbox). */
  toOperator(op: { id: number }, notice: Notice, ref?: string | null, t?: Transaction): Promise<void>;
  /** A notice to the team group on every channel that can push to one, @-mentioning `mention`. */
  toGroup(notice: Notice, mention?: { id: number }[], origin?: undefined, ref?: string | null): Promise<void>;
  /** After a deletion request was decided (or expired): grey out its cards and tell the requester. */
  approvalDecided(request: ApprovalRequest, decider: OperatorLike, receipt: string): Promise<void>;
  /** True when some enabled messenger's cards cannot call back, so digests should carry signed page links. */
  linksWanted(): boolean;
  /** A signed link to the review page (停用/保留) for one customer, bound to the operator it is sent to. */
  reviewLink(code: string, operator: { id: number }): string;
  /** True when a group notice would reach some team group now (else jobs write to the admins). */
  hasTeamGroup(): Promise<boolean>;
}
