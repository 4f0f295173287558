import { Op, type Transaction } from 'sequelize';
import type { Core, OperatorLike } from '../../core/context.js';
import { localTime } from '../../core/deletion/approvals.js';
import { handlingText, readHandling } from '../../core/ledger/handling.js';
import type { ApprovalRequest, Operator } from '../../models/index.js';
import { approvalLink } from '../approval-token.js';
import { buttonId } from '../buttons.js';
import type { IdentityDoor, IncomingMessage, Reply } from '../types.js';
import type { OutboxPayload } from './payload.js';

/** Which messengers are configured; the console outbox is always on. */
export interface EnabledDoors {
  wecom: boolean;
  wecomGroup: boolean;
  dingtalk: boolean;
}

/** Reads the door settings from configuration. */
export function enabledDoors(core: Core): EnabledDoors {
  const c = core.config;
  return {
    wecom: Boolean(c.WECOM_CORP_ID && c.WECOM_SECRET && c.WECOM_AGENT_ID),
    wecomGroup: Boolean(c.WECOM_GROUP_WEBHOOK_KEY),
    dingtalk: Boolean(c.DINGTALK_APP_KEY && c.DINGTALK_APP_SECRET && c.DINGTALK_ROBOT_CODE),
  };
}

/**
 * Everything the bot sends on its own (not as the direct answer to a message) goes through
 * the outbox table, so rate limits and outages delay messages instead of losing them.
 */
export class Notifier {
  constructor(private readonly core: Core, private readonly kick: () => void = () => undefined) {}

  private async enqueue(door: string, targetKind: 'user' | 'group' | 'update', targetId: string, payload: OutboxPayload, ref: string | null = null, transaction?: Transaction): Promise<void> {
    await this.core.models.BotOutbox.create({ door, targetKind: targetKind as 'user', targetId, payload: JSON.stringify(payload), ref, notBefore: this.core.now(), createdAt: this.core.now(), sentAt: null, responseCode: null, error: null }, { transaction });
    // Inside a transaction the row is invisible to the dispatcher until it commits.
    if (transaction) transaction.afterCommit(() => this.kick());
    else this.kick();
  }

  /** A message to one operator on every door they can be reached on (and the console inbox). */
  async toOperator(op: Pick<Operator, 'id' | 'wecomUserId' | 'dingtalkUserId'>, reply: Reply, ref: string | null = null, t?: Transaction): Promise<void> {
    const doors = enabledDoors(this.core);
    await this.enqueue('console', 'user', `op:${op.id}`, { kind: 'message', reply }, ref, t);
    if (doors.wecom && op.wecomUserId) await this.enqueue('wecom', 'user', op.wecomUserId, { kind: 'message', reply }, ref, t);
    if (doors.dingtalk && op.dingtalkUserId) await this.enqueue('dingtalk', 'user', op.dingtalkUserId, { kind: 'message', reply }, ref, t);
  }

  /** A notice to the team group; `mention` operators are @-mentioned on each messenger. */
  async toGroup(reply: Reply, mention: Pick<Operator, 'wecomUserId' | 'dingtalkUserId'>[] = [], origin?: IncomingMessage, ref: string | null = null, t?: Transaction): Promise<void> {
    const doors = enabledDoors(this.core);
    if (doors.wecomGroup) {
      await this.enqueue('wecom', 'group', 'webhook', { kind: 'message', reply: { ...reply, mentions: mention.map((o) => o.wecomUserId).filter((x): x is string => !!x) } }, ref, t);
    }
    const robot = this.core.config.DINGTALK_GROUP_WEBHOOK ? 'webhook' : null;
    const groupId = origin?.via === 'dingtalk' && origin.chatType === 'group' ? origin.conversationId : ((doors.dingtalk ? await this.dingtalkGroup(t) : null) ?? robot);
    if ((doors.dingtalk || robot) && groupId) {
      await this.enqueue('dingtalk', 'group', groupId, {
        kind: 'message', reply: { ...reply, mentions: mention.map((o) => o.dingtalkUserId).filter((x): x is string => !!x) },
        ...(origin?.replyVia?.sessionWebhook && origin.conversationId === groupId ? { sessionWebhook: origin.replyVia.sessionWebhook, sessionWebhookExpiresAt: origin.replyVia.sessionWebhookExpiresAt } : {}),
      }, ref, t);
    }
  }

  /** The DingTalk group for scheduled notices: the configured one, else the last group seen. */
  async dingtalkGroup(transaction?: Transaction): Promise<string | null> {
    const row = await this.core.models.StewardMeta.findByPk('dingtalk_group', { transaction });
    return row?.value ?? null;
  }

  /** The answer to a message, sent later (DingTalk always; WeCom when the deadline passed). */
  async replyLater(msg: IncomingMessage, replies: Reply[], operatorId: number | null): Promise<void> {
    if (msg.via === 'wecom-bot') return this.botReplyLater(msg, replies);
    for (const reply of replies) {
      if (msg.via === 'dingtalk') {
        const target = msg.chatType === 'group' && msg.conversationId ? msg.conversationId : msg.userId;
        await this.enqueue('dingtalk', msg.chatType === 'group' ? 'group' : 'user', target, {
          kind: 'message', reply: msg.chatType === 'group' ? { ...reply, mentions: [...new Set([...(reply.mentions ?? []), msg.userId])] } : reply,
          sessionWebhook: msg.replyVia?.sessionWebhook, sessionWebhookExpiresAt: msg.replyVia?.sessionWebhookExpiresAt,
        });
      } else if (msg.via === 'wecom-app') {
        await this.enqueue('wecom', 'user', msg.userId, { kind: 'message', reply });
      } else if (operatorId) {
        await this.enqueue('console', 'user', `op:${operatorId}`, { kind: 'message', reply });
      }
    }
  }

  /**
   * The AI bot's late answer goes to the message's own response_url (path/101138), so it lands in
   * the chat it came from; never through the app API, which would turn a group answer private.
   * The URL works once (and for an hour), so all replies go as one message.
   */
  private async botReplyLater(msg: IncomingMessage, replies: Reply[]): Promise<void> {
    const responseUrl = msg.replyVia?.responseUrl;
    if (!replies.length) return;
    if (!responseUrl) {
      this.core.logger.warn({ msgId: msg.messageKey }, 'late AI bot answer dropped: the message had no usable response_url');
      return;
    }
    const withButtons = replies.find((r) => r.buttons?.length);
    const reply: Reply = {
      text: replies.map((r) => (r.title ? `${r.title}\n${r.text}` : r.text)).join('\n\n'),
      ...(withButtons ? { title: withButtons.title, buttons: withButtons.buttons } : {}),
    };
    await this.enqueue('wecom', 'user', `bot:${msg.conversationId ?? msg.userId}`, { kind: 'message', reply, responseUrl });
  }

  /** Approvers who may decide a request: active approver/admin operators other than the requester. */
  async approversFor(request: ApprovalRequest, transaction?: Transaction): Promise<Operator[]> {
    const all = await this.core.models.Operator.findAll({ where: { active: true, id: { [Op.ne]: request.requesterId } }, transaction });
    return all.filter((o) => o.roleList().some((r) => r === 'approver' || r === 'admin'));
  }

  /** Approval cards to every approver (1:1 with buttons), and a group notice that @-mentions them. */
  async approvalRequested(request: ApprovalRequest, requester: OperatorLike, customerName: string, opts: { origin?: IncomingMessage; transaction?: Transaction } = {}): Promise<Operator[]> {
    const { origin, transaction: t } = opts;
    const approvers = await this.approversFor(request, t);
    const ref = `approval:${request.id}`;
    const handling = handlingText(readHandling(request.handling));
    const summary = `客户: ${request.customerCode} ${customerName}\n申请人: ${requester.displayName}\n原因: ${request.reason}\n有效期至: ${localTime(this.core, request.expiresAt)}\n${handling}`;
    for (const approver of approvers) {
      await this.toOperator(approver, {
        title: `删除客户审批 #${request.id}`,
        text: `${summary}\n请审批: 同意后客户进入回收站, ${this.core.config.RECYCLE_RETENTION_DAYS} 天内可恢复。也可回复「同意 ${request.id}」或「拒绝 ${request.id} 理由」。`,
        buttons: [{ id: buttonId('approve', String(request.id)), text: '同意' }, { id: buttonId('reject', String(request.id)), text: '拒绝' }],
      }, ref, t);
    }
    await this.toGroup({
      title: `删除客户审批 #${request.id}`,
      text: `${requester.displayName} 申请删除客户 ${request.customerCode} ${customerName} (原因: ${request.reason}), 请审批人处理。`,
      links: approvers.filter((a) => a.dingtalkUserId).map((a) => ({ text: `${a.displayName} 审批`, url: approvalLink(this.core, request, a) })),
    }, approvers, origin, ref, t);
    return approvers;
  }

  /** After a decision: grey out every approver's card and send the requester a receipt. */
  async approvalDecided(request: ApprovalRequest, decider: OperatorLike, receipt: string, exceptUserId?: string): Promise<void> {
    const when = localTime(this.core, request.decidedAt ?? this.core.now()).slice(11);
    const label = request.status === 'approved' ? '已同意' : request.status === 'rejected' ? '已拒绝' : '已过期';
    const text = request.status === 'expired' ? `已过期 · ${when}` : `${label} · ${decider.displayName} · ${when}`;
    if (enabledDoors(this.core).wecom) await this.enqueue('wecom', 'update', `approval:${request.id}`, { kind: 'card-update', ref: `approval:${request.id}`, text, exceptUserId });
    await this.toGroup({ text: `删除客户审批 #${request.id} (${request.customerCode}) ${text}` }, [], undefined, `approval:${request.id}`);
    const requester = await this.core.models.Operator.findByPk(request.requesterId);
    if (requester) await this.toOperator(requester, { text: receipt });
  }
}

/** Records the DingTalk group a message came from, for later scheduled notices. */
export async function rememberDingtalkGroup(core: Core, msg: IncomingMessage): Promise<void> {
  if (msg.via !== 'dingtalk' || msg.chatType !== 'group' || !msg.conversationId) return;
  await core.models.StewardMeta.upsert({ key: 'dingtalk_group', value: msg.conversationId });
}

export type { IdentityDoor };
