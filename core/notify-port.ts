import type { ApprovalRequest } from '../models/index.js';
import type { OperatorLike } from './context.js';

/**
 * What core-facing doors need of chat notifications, without knowing the messengers.
 * The bot's Notifier implements it; the composition root (cli/server) hands it to doors.
 */
export interface ApprovalNotifier {
  /** Approval cards to every approver and a group notice that @-mentions them. */
  approvalRequested(request: ApprovalRequest, requester: OperatorLike, customerName: string): Promise<unknown>;
}
