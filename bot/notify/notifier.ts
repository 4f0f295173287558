import { Op, type Transaction } from 'sequelize';
import type { Core, OperatorLike } from '../../core/context.js';
import { localTime } from '../../core/deletion/approvals.js';
import { handlingText, readHandling } from '../../core/ledger/handling.js';
import { requestHistoryText } from '../../core/deletion/history.js';
import type { OutboxPort } from '../../core/notify-port.js';
import { identitiesOf, type Identity } from '../../core/operators.js';
import type { ApprovalRequest, Operator } from '../../models/index.js';
import { approvalLink } from '../approval-token.js';
import { buttonId } from '../buttons.js';
import type { Channel, IncomingMessage, Reply, Target } from '../channels/contract.js';
import { channelById, enabledChannels } from '../channels/registry.js';
import { reviewLink } from '../review-page.js';
import { groupTarget, teamGroups } from './groups.js';
import type { OutboxPayload, OutboxTargetKind } from './payload.js';

export { rememberGroup, teamGroups } from './groups.js';

/** A notice built per channel (links and mentions differ), or the same for all. */
export type ReplyFor = Reply | ((channel: Channel, identities: Map<number, Identity[]>) => Reply);

const reachable = (core: Core, ch: Channel, target: Target) => ch.reachable?.(core, target) ?? true;

/** A reply as a channel gets it: signed page links only where cards cannot call back. */
export function forChannel(channel: Channel, reply: Reply): Reply {
  if (!reply.links?.length || !channel.capabilities.buttons) return reply;
  const { links: _links, ...rest } = reply;
  return rest;
}

/** True when some enabled channel's cards cannot call back, so digests should carry signed page links. */
export function linksWanted(core: Core): boolean {
  return enabledChannels(core).some((c) => !c.capabilities.buttons);
}

/** In a group the answer @-mentions whoever asked. */
function askerMentioned(reply: Reply, userId: string): Reply {
  return { ...reply, mentions: [...new Set([...(reply.mentions ?? []), userId])] };
}

/** Several replies as one message: every text, and the first buttons. */
function joined(replies: Reply[]): Reply {
  const withButtons = replies.find((r) => r.buttons?.length);
  return {
    text: replies.map((r) => (r.title ? `${r.title}\n${r.text}` : r.text)).join('\n\n'),
    ...(withButtons ? { title: withButtons.title, buttons: withButtons.buttons } : {}),
  };
}

/**
 * Everything the bot sends on its own (not as the direct answer to a message) goes through
 * the outbox table, so rate limits and outages delay messages instead of losing them. It names
 * no messenger: each enabled channel (bot/channels/registry.ts) gets what it can deliver.
 */
export class Notifier implements OutboxPort {
  constructor(
    private readonly core: Core,
    private readonly kick: () => void = () => undefined,
  ) {}

  linksWanted(): boolean {
    return linksWanted(this.core);
  }

  reviewLink(code: string, operator: { id: number }): string {
    return reviewLink(this.core, code, operator);
  }

  async hasTeamGroup(): Promise<boolean> {
    return (await teamGroups(this.core)).length > 0;
  }

  private async enqueue(
    door: string,
    targetKind: OutboxTargetKind,
    targetId: string,
    payload: OutboxPayload,
    ref: string | null = null,
    transaction?: Transaction,
  ): Promise<void> {
    // bot_outbox.target_kind is a short string column; the model's type predates 'reply' and 'update'.
    await this.core.models.BotOutbox.create(
      {
        door,
        targetKind: targetKind as 'user',
        targetId: targetId.slice(0, 191),
        payload: JSON.stringify(payload),
        ref,
        notBefore: this.core.now(),
        createdAt: this.core.now(),
        sentAt: null,
        responseCode: null,
        error: null,
      },
      { transaction },
    );
    // Inside a transaction the row is invisible to the dispatcher until it commits.
    if (transaction) transaction.afterCommit(() => this.kick());
    else this.kick();
  }

  /** A message to one operator on every enabled channel they have an account on (and the console inbox). */
  async toOperator(op: { id: number }, reply: Reply, ref: string | null = null, t?: Transaction): Promise<void> {
    await this.enqueue('console', 'user', `op:${op.id}`, { kind: 'message', reply }, ref, t);
    const channels = enabledChannels(this.core);
    if (!channels.length) return;
    const identities = (await identitiesOf(this.core, [op.id], t)).get(op.id) ?? [];
    for (const ch of channels) {
      const id = identities.find((i) => i.channel === ch.id)?.externalId;
      if (!id || !reachable(this.core, ch, { kind: 'user', id })) continue;
      await this.enqueue(ch.id, 'user', id, { kind: 'message', reply: forChannel(ch, reply) }, ref, t);
    }
  }

  /**
   * A notice to the team group on every channel that can push to one: the group the `origin`
   * message came from when it is on that channel, else the remembered or configured group.
   * `mention` operators are @-mentioned by their account on each channel.
   */
  async toGroup(
    reply: ReplyFor,
    mention: { id: number }[] = [],
    origin?: IncomingMessage,
    ref: string | null = null,
    t?: Transaction,
  ): Promise<void> {
    const channels = enabledChannels(this.core).filter((c) => c.capabilities.groupPush);
    if (!channels.length) return;
    const identities = mention.length
      ? await identitiesOf(
          this.core,
          mention.map((m) => m.id),
          t,
        )
      : new Map<number, Identity[]>();
    for (const ch of channels) {
      const target = await groupTarget(this.core, ch, origin, t);
      if (!target) continue;
      const base = typeof reply === 'function' ? reply(ch, identities) : reply;
      const mentions = mention.flatMap((m) =>
        (identities.get(m.id) ?? []).filter((i) => i.channel === ch.id).map((i) => i.externalId),
      );
      const payload: OutboxPayload = {
        kind: 'message',
        reply: { ...forChannel(ch, base), mentions },
        ...(target.kind === 'reply' ? { handle: target.handle } : {}),
      };
      await this.enqueue(ch.id, target.kind, target.lane, payload, ref, t);
    }
  }

  /**
   * The answer to a message, sent later through the outbox: through the message's own reply
   * handle when its channel gave one, else to the chat it came from (the console: its inbox).
   */
  async replyLater(msg: IncomingMessage, replies: Reply[], operatorId: number | null = null): Promise<void> {
    if (!replies.length) return;
    if (msg.via === 'console') return this.replyToConsole(replies, operatorId);
    const ch = channelById(msg.channel);
    const group = msg.chatType === 'group' && msg.conversationId;
    const chat: Target = group ? { kind: 'group', id: msg.conversationId! } : { kind: 'user', id: msg.userId };
    if (!ch || (!msg.reply && !reachable(this.core, ch, chat))) {
      this.core.logger.warn(
        { correlationId: msg.correlationId, channel: msg.channel },
        'late answer dropped: the message has no way back',
      );
      return;
    }
    // A handle that answers once gets everything as one message (buttons: the first reply's that has some).
    const batch = msg.reply?.once ? [joined(replies)] : replies;
    const { correlationId } = msg;
    for (const reply of batch) {
      const r = group ? askerMentioned(reply, msg.userId) : reply;
      if (msg.reply)
        await this.enqueue(ch.id, 'reply', chat.id, { kind: 'message', reply: r, handle: msg.reply, correlationId });
      else await this.enqueue(ch.id, chat.kind, chat.id, { kind: 'message', reply: r, correlationId });
    }
  }

  /** A late answer to the console goes to the operator's inbox (none without an operator). */
  private async replyToConsole(replies: Reply[], operatorId: number | null): Promise<void> {
    if (!operatorId) return;
    for (const reply of replies) await this.enqueue('console', 'user', `op:${operatorId}`, { kind: 'message', reply });
  }

  /** Approvers who may decide a request: active approver/admin operators other than the requester. */
  async approversFor(request: ApprovalRequest, transaction?: Transaction): Promise<Operator[]> {
    const all = await this.core.models.Operator.findAll({
      where: { active: true, id: { [Op.ne]: request.requesterId } },
      transaction,
    });
    return all.filter((o) => o.roleList().some((r) => r === 'approver' || r === 'admin'));
  }

  /**
   * Approval cards to every approver (1:1, with buttons), and a group notice that @-mentions them;
   * on channels whose cards cannot call back, the notice carries each approver's signed page link.
   */
  async approvalRequested(
    request: ApprovalRequest,
    requester: OperatorLike,
    customerName: string,
    opts: { origin?: IncomingMessage; transaction?: Transaction } = {},
  ): Promise<Operator[]> {
    const { origin, transaction: t } = opts;
    const approvers = await this.approversFor(request, t);
    const ref = `approval:${request.id}`;
    const handling = handlingText(readHandling(request.handling));
    const history = requestHistoryText(request);
    const summary = `${history ? `${history}\n` : ''}客户: ${request.customerCode} ${customerName}\n申请人: ${requester.displayName}\n原因: ${request.reason}\n有效期至: ${localTime(this.core, request.expiresAt)}\n${handling}`;
    for (const approver of approvers) {
      await this.toOperator(
        approver,
        {
          title: `删除客户审批 #${request.id}`,
          text: `${summary}\n请审批: 同意后客户进入回收站, ${this.core.config.RECYCLE_RETENTION_DAYS} 天内可恢复。也可回复「同意 ${request.id}」或「拒绝 ${request.id} 理由」。`,
          buttons: [
            { id: buttonId('approve', String(request.id)), text: '同意' },
            { id: buttonId('reject', String(request.id)), text: '拒绝' },
          ],
        },
        ref,
        t,
      );
    }
    const notice = {
      title: `删除客户审批 #${request.id}`,
      text: `${requester.displayName} 申请删除客户 ${request.customerCode} ${customerName} (原因: ${request.reason}), 请审批人处理。`,
    };
    await this.toGroup(
      (ch, identities) =>
        ch.capabilities.buttons
          ? notice
          : {
              ...notice,
              links: approvers
                .filter((a) => identities.get(a.id)?.some((i) => i.channel === ch.id))
                .map((a) => ({ text: `${a.displayName} 审批`, url: approvalLink(this.core, request, a) })),
            },
      approvers,
      origin,
      ref,
      t,
    );
    return approvers;
  }

  /**
   * After a decision: grey out every approver's card (on channels that can update cards, except
   * the one the decider pressed, already answered in place) and send the requester a receipt.
   */
  async approvalDecided(
    request: ApprovalRequest,
    decider: OperatorLike,
    receipt: string,
    except?: { channel: string; userId: string },
  ): Promise<void> {
    const when = localTime(this.core, request.decidedAt ?? this.core.now()).slice(11);
    const label = request.status === 'approved' ? '已同意' : request.status === 'rejected' ? '已拒绝' : '已过期';
    const text = request.status === 'expired' ? `已过期 · ${when}` : `${label} · ${decider.displayName} · ${when}`;
    const ref = `approval:${request.id}`;
    for (const ch of enabledChannels(this.core).filter((c) => c.capabilities.updateCard && c.updateCard)) {
      await this.enqueue(ch.id, 'update', ref, { kind: 'card-update', ref, text, ...(except ? { except } : {}) });
    }
    await this.toGroup({ text: `删除客户审批 #${request.id} (${request.customerCode}) ${text}` }, [], undefined, ref);
    const requester = await this.core.models.Operator.findByPk(request.requesterId);
    if (requester) await this.toOperator(requester, { text: receipt });
  }
}
