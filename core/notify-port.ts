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
  approvalRequested(request: ApprovalRequest, requester: OperatorLike, customerName: string, opts?: { transaction?: Transaction }): Promise<unknown>;
  /** A message to one operator on every channel they are reachable on (merge approvals use it); queued in `t` when given. */
  toOperator?(op: { id: number }, reply: { title?: string; text: string }, ref?: string | null, t?: Transaction): Promise<void>;
}
