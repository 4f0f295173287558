import { withCorrelation } from '../../core/correlation.js';
import { Op } from 'sequelize';
import type { Core } from '../../core/context.js';
import type { BotOutbox } from '../../models/index.js';
import { isLostRace, unlessLockConflict } from '../../models/tx.js';
import { ChannelSendError, type Reply, type Target } from '../channels/contract.js';
import { allChannels, channelById } from '../channels/registry.js';
import type { OutboxPayload } from './payload.js';

/** Group webhooks allow 20 messages a minute (WeCom and DingTalk alike). */
export const GROUP_LIMIT_PER_MINUTE = 20;
/** When this many are waiting on a throttled group, they are merged into one digest. */
export const MERGE_THRESHOLD = 3;
const MAX_ATTEMPTS = 6;

/** Lanes sent at once; each (door, target) is one lane, sent oldest first. */
export const MAX_LANES = 6;
/** The doors this dispatcher owns: the channels'. Other rows (door 'webhook', 'console') are not its. */
const ownDoors = () => allChannels().map((c) => c.id);

type Outcome = 'sent' | 'skipped' | 'stop';

/**
 * Sends what the outbox holds for the channels, through the contract only (channel.send,
 * updateCard). Each (door, target kind, target) is a lane:
 * oldest first within it, several lanes at once, and a slow or failing messenger only holds its
 * own lanes. Rows are claimed with a conditional UPDATE, so several instances can run
 * dispatchers against one database without double sends.
 */
export class Dispatcher {
  private running: Promise<unknown> | null = null;
  private again = false;
  /** Lanes being sent by this process, by key. */
  private readonly lanes = new Map<string, Promise<number>>();
  /** A pass left due rows unstarted (their lane was busy, or no slot was free). */
  private deferred = false;

  constructor(private readonly core: Core) {}

  /** Runs a pass now (or right after the current one); a pass starts lanes and does not wait for them. */
  kick(): void {
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.pass()
      .catch((err: unknown) => {
        this.core.logger.error({ err }, 'outbox pass failed');
        return [];
      })
      .finally(() => {
        this.running = null;
        if (this.again) {
          this.again = false;
          this.kick();
        }
      });
  }

  /** Waits for the current pass and every lane in flight, for tests and shutdown. */
  async idle(): Promise<void> {
    while (this.running || this.lanes.size) await Promise.all([this.running, ...this.lanes.values()]);
  }

  /** One pass over due rows, waiting for the lanes it started; returns how many were sent. */
  async drain(): Promise<number> {
    const counts = await Promise.all(await this.pass());
    return counts.reduce((a, b) => a + b, 0);
  }

  /** Finds due rows, groups them into lanes and starts the lanes not already in flight. */
  private async pass(): Promise<Promise<number>[]> {
    const { BotOutbox } = this.core.models;
    // A row left 'sending' past its lease belonged to an instance that died mid-send: try again.
    // Another instance touching those rows (a deadlock, a 1213 on a cluster) is a lost race: the
    // next pass reclaims what is still stale, and this one goes on.
    await unlessLockConflict(
      BotOutbox.update(
        { status: 'pending' },
        { where: { status: 'sending', door: { [Op.in]: ownDoors() }, notBefore: { [Op.lte]: this.core.now() } } },
      ),
      null,
    );
    const due = await BotOutbox.findAll({
      where: { status: 'pending', door: { [Op.in]: ownDoors() }, notBefore: { [Op.lte]: this.core.now() } },
      order: [['id', 'ASC']],
      limit: 200,
    });
    const byLane = new Map<string, BotOutbox[]>();
    for (const row of due) {
      const key = `${row.door}|${row.targetKind}|${row.targetId}`;
      byLane.set(key, [...(byLane.get(key) ?? []), row]);
    }
    const started: Promise<number>[] = [];
    for (const [key, rows] of byLane) {
      // A lane in flight sends only its snapshot: look again for the newer rows when it ends.
      if (this.lanes.has(key)) {
        this.deferred = true;
        continue;
      }
      // The rest wait for a free slot: the next lane to finish kicks another pass.
      if (this.lanes.size >= MAX_LANES) {
        this.deferred = true;
        break;
      }
      const lane = this.runLane(rows)
        .catch((err: unknown) => {
          this.core.logger.error({ err, lane: key }, 'outbox lane failed');
          return 0;
        })
        .finally(() => {
          this.lanes.delete(key);
          // Only when rows were left waiting: a lane with nothing sendable must not spin passes.
          if (this.deferred) {
            this.deferred = false;
            this.kick();
          }
        });
      this.lanes.set(key, lane);
      started.push(lane);
    }
    return started;
  }

  /** Sends one lane's rows in order; a failure or a throttle ends the lane for this pass. */
  private async runLane(rows: BotOutbox[]): Promise<number> {
    let sent = 0;
    for (const row of rows) {
      // Every line of one delivery carries the id of the message it answers, else its own.
      const outcome = await withCorrelation(deliveryId(row), () => this.sendOne(row));
      if (outcome === 'stop') break;
      if (outcome === 'sent') sent++;
    }
    return sent;
  }

  /** Claims and sends one row; 'stop' when it failed or its group is throttled. */
  private async sendOne(row: BotOutbox): Promise<Outcome> {
    const { BotOutbox } = this.core.models;
    if (row.targetKind === 'group' && (await this.throttled(row))) return 'stop';
    const lease = new Date(this.core.now().getTime() + 5 * 60_000);
    let claimed: number;
    try {
      [claimed] = await BotOutbox.update(
        { status: 'sending', attempts: row.attempts + 1, notBefore: lease },
        { where: { id: row.id, status: 'pending' } },
      );
    } catch (err) {
      // Another instance took it (a 1213 on a multi-master cluster): theirs to send.
      if (isLostRace(err)) return 'skipped';
      throw err;
    }
    if (claimed !== 1) return 'skipped';
    try {
      const payload = JSON.parse(row.payload) as OutboxPayload;
      const responseCode = await this.send(row, payload);
      await BotOutbox.update(
        { status: 'sent', sentAt: this.core.now(), responseCode, error: null },
        { where: { id: row.id } },
      );
      return 'sent';
    } catch (err) {
      // A channel says when retrying cannot help; anything else (a bug, a lost connection) is retried.
      const retry = !(err instanceof ChannelSendError) || err.retryable;
      const failed = !retry || row.attempts + 1 >= MAX_ATTEMPTS;
      const delay = 2 ** row.attempts * 5_000;
      await BotOutbox.update(
        {
          status: failed ? 'failed' : 'pending',
          error: String((err as Error).message).slice(0, 500),
          notBefore: new Date(this.core.now().getTime() + delay),
        },
        { where: { id: row.id } },
      );
      this.core.logger.warn(
        { outboxId: row.id, door: row.door, err: (err as Error).message, failed },
        'outbound message not sent',
      );
      // A permanent failure does not hold the lane; a retryable one keeps the order.
      return failed ? 'skipped' : 'stop';
    }
  }

  /** True when the group already had its 20 this minute; piles of waiting rows are merged. */
  private async throttled(row: BotOutbox): Promise<boolean> {
    const { BotOutbox } = this.core.models;
    const since = new Date(this.core.now().getTime() - 60_000);
    const recent = await BotOutbox.count({
      where: { door: row.door, targetId: row.targetId, status: 'sent', sentAt: { [Op.gt]: since } },
    });
    if (recent < GROUP_LIMIT_PER_MINUTE) return false;
    const waiting = await BotOutbox.findAll({
      where: { door: row.door, targetId: row.targetId, targetKind: 'group', status: 'pending' },
      order: [['id', 'ASC']],
    });
    if (waiting.length >= MERGE_THRESHOLD) await this.merge(waiting);
    else
      await BotOutbox.update(
        { notBefore: new Date(this.core.now().getTime() + 15_000) },
        { where: { id: waiting.map((w) => w.id) } },
      );
    return true;
  }

  /** Folds several waiting group messages into one digest so none is dropped. */
  private async merge(rows: BotOutbox[]): Promise<void> {
    const { BotOutbox } = this.core.models;
    const replies = rows
      .map((r) => JSON.parse(r.payload) as OutboxPayload)
      .filter((p): p is Extract<OutboxPayload, { kind: 'message' }> => p.kind === 'message')
      .map((p) => p.reply);
    const digest: Reply = {
      title: `汇总 ${replies.length} 条通知`,
      text: replies.map((r, i) => `${i + 1}. ${r.title ? `${r.title}: ` : ''}${r.text}`).join('\n'),
      mentions: [...new Set(replies.flatMap((r) => r.mentions ?? []))],
      links: replies.flatMap((r) => r.links ?? []).slice(0, 6),
    };
    const first = rows[0]!;
    await this.core.models.sequelize.transaction(async (t) => {
      await BotOutbox.update({ status: 'merged' }, { where: { id: rows.map((r) => r.id) }, transaction: t });
      await BotOutbox.create(
        {
          door: first.door,
          targetKind: 'group',
          targetId: first.targetId,
          payload: JSON.stringify({ kind: 'message', reply: digest }),
          notBefore: new Date(this.core.now().getTime() + 60_000),
          ref: null,
          responseCode: null,
          error: null,
          createdAt: this.core.now(),
          sentAt: null,
        },
        { transaction: t },
      );
    });
  }

  private async send(row: BotOutbox, payload: OutboxPayload): Promise<string | null> {
    const channel = channelById(row.door);
    if (!channel) throw new ChannelSendError(`no channel ${row.door}`, false);
    if (payload.kind === 'card-update') {
      await this.updateCards(row.door, payload);
      return null;
    }
    let target: Target;
    // The model's type predates 'reply' rows; the column is a plain string.
    const kind = row.targetKind as string;
    if (kind === 'reply') {
      if (!payload.handle || payload.handle.channel !== channel.id)
        throw new ChannelSendError('reply row without its handle', false);
      target = { kind: 'reply', handle: payload.handle };
    } else if (kind === 'group' || kind === 'user') {
      target = { kind, id: row.targetId };
    } else {
      throw new ChannelSendError(`target kind ${kind} is not sendable`, false);
    }
    // The row's id and creation time: unique to this row even after a restore reuses ids, so a
    // messenger that refuses a task_id it has seen (WeCom's 42014) is refusing this row's own retry.
    const task = `steward-${row.id}-${row.createdAt.getTime().toString(36)}`;
    const result = await channel.send(this.core, target, payload.reply, task);
    return result.cardRef ?? null;
  }

  /** Every card sent under `ref` on the channel gets its buttons replaced by the outcome text. */
  private async updateCards(door: string, payload: Extract<OutboxPayload, { kind: 'card-update' }>): Promise<void> {
    const channel = channelById(door);
    if (!channel?.updateCard) return;
    const cards = await this.core.models.BotOutbox.findAll({
      where: { ref: payload.ref, door, targetKind: 'user', status: 'sent', responseCode: { [Op.ne]: null } },
    });
    for (const card of cards) {
      if (payload.except && payload.except.channel === door && payload.except.userId === card.targetId) continue;
      await channel.updateCard(this.core, card.responseCode!, card.targetId, payload.text);
    }
  }
}

/** The correlation id of one delivery: the answered message's, else `outbox:<row id>`. */
function deliveryId(row: BotOutbox): string {
  try {
    const payload = JSON.parse(row.payload) as OutboxPayload;
    if (payload.kind === 'message' && payload.correlationId) return payload.correlationId;
  } catch {
    // An unreadable payload is reported by the send itself.
  }
  return `outbox:${row.id}`;
}
