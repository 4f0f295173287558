import { Op } from 'sequelize';
import type { Core } from '../../core/context.js';
import { onWebhooksQueued, WEBHOOK_DOOR, type WebhookEvent } from '../../core/webhooks/enqueue.js';
import { signatureHeader } from '../../core/webhooks/signature.js';
import { subscriptionSecret } from '../../core/webhooks/subscriptions.js';
import type { BotOutbox } from '../../models/index.js';
import { unlessLockConflict, withTransaction } from '../../models/tx.js';
import { postWebhook, type SendResult } from './send.js';

/** Deliveries are retried for this long after they were queued, then marked failed. */
export const RETRY_WINDOW_MS = 24 * 3600_000;
/** A claimed row's lease: the send timeout plus this; a row left 'sending' past it is retried. */
const LEASE_MARGIN_MS = 60_000;
const USER_AGENT = 'customer-steward-webhooks/1';

/** Exponential backoff with ±25 % jitter: 30 s, 1 min, 2 min … capped at 1 h. */
export function backoffMs(attempt: number, random: () => number = Math.random): number {
  const base = Math.min(30_000 * 2 ** Math.max(0, attempt - 1), 3600_000);
  return Math.round(base * (0.75 + 0.5 * random()));
}

export interface WebhookDispatcherOptions {
  /** How often due lanes are looked for (they are also woken when this instance queues). */
  intervalMs?: number;
  /** Subscribers sent to at the same time. */
  maxLanes?: number;
  /** Deliveries sent to one subscriber in a row before the lane yields. */
  maxPerLane?: number;
}

type Outcome = 'sent' | 'retry' | 'failed' | 'lost';

/**
 * Sends the outbox's webhook rows. Each subscriber is a lane: only its oldest undelivered row
 * may be sent, so its events arrive in order, and a dead or slow subscriber holds up only its
 * own lane. Rows are claimed with a conditional UPDATE, so several instances never double-send.
 */
export class WebhookDispatcher {
  private readonly inFlight = new Map<string, Promise<number>>();
  private timer: NodeJS.Timeout | null = null;
  private unsubscribe: (() => void) | null = null;
  private stopped = false;
  private readonly opts: Required<WebhookDispatcherOptions>;

  constructor(
    private readonly core: Core,
    opts: WebhookDispatcherOptions = {},
  ) {
    this.opts = { intervalMs: 2_000, maxLanes: 16, maxPerLane: 50, ...opts };
  }

  /** Starts polling (and listening for this instance's new deliveries). */
  start(): void {
    this.stopped = false;
    this.timer = setInterval(() => this.tick(), this.opts.intervalMs);
    this.timer.unref();
    this.unsubscribe = onWebhooksQueued(this.core, () => this.tick());
    this.tick();
  }

  /** Stops taking new work and waits for sends in flight (each ends within the timeout). */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.unsubscribe?.();
    this.timer = null;
    await Promise.allSettled([...this.inFlight.values()]);
  }

  /** Starts due lanes without waiting for them. */
  tick(): void {
    if (this.stopped) return;
    this.startLanes().catch((err: unknown) => this.core.logger.error({ err }, 'webhook pass failed'));
  }

  /** One pass: starts every due lane and waits for them; returns how many deliveries succeeded. */
  async pass(): Promise<number> {
    const lanes = await this.startLanes();
    return (await Promise.all(lanes)).reduce((a, b) => a + b, 0);
  }

  private async startLanes(): Promise<Promise<number>[]> {
    const { BotOutbox } = this.core.models;
    const now = this.core.now();
    // A row left 'sending' past its lease belonged to an instance that died mid-send.
    // Another instance touching those rows (a deadlock, a 1213 on a cluster) is a lost race; the next pass reclaims.
    await unlessLockConflict(
      BotOutbox.update(
        { status: 'pending' },
        { where: { door: WEBHOOK_DOOR, status: 'sending', notBefore: { [Op.lte]: now } } },
      ),
      null,
    );
    const due = await BotOutbox.findAll({
      attributes: ['targetId'],
      group: ['targetId'],
      raw: true,
      where: { door: WEBHOOK_DOOR, status: 'pending', notBefore: { [Op.lte]: now } },
      limit: 500,
    });
    const started: Promise<number>[] = [];
    for (const { targetId } of due) {
      if (this.stopped || this.inFlight.size >= this.opts.maxLanes) break;
      if (this.inFlight.has(targetId)) continue;
      const lane = this.runLane(targetId)
        .catch((err: unknown) => {
          this.core.logger.error({ err, subscriptionId: targetId }, 'webhook lane failed');
          return 0;
        })
        .finally(() => this.inFlight.delete(targetId));
      this.inFlight.set(targetId, lane);
      started.push(lane);
    }
    return started;
  }

  /** Sends a subscriber's rows oldest first until one is not delivered (or the lane's share is used). */
  private async runLane(targetId: string): Promise<number> {
    const { BotOutbox } = this.core.models;
    let delivered = 0;
    for (let n = 0; n < this.opts.maxPerLane && !this.stopped; n++) {
      const head = await BotOutbox.findOne({
        where: { door: WEBHOOK_DOOR, targetId, status: { [Op.in]: ['pending', 'sending'] } },
        order: [['id', 'ASC']],
      });
      // Head of line: a later event waits while the oldest is in flight or backing off.
      if (!head || head.status !== 'pending' || head.notBefore > this.core.now()) break;
      const outcome = await this.deliver(head);
      if (outcome !== 'sent' && outcome !== 'failed') break;
      if (outcome === 'sent') delivered++;
    }
    return delivered;
  }

  private async deliver(row: BotOutbox): Promise<Outcome> {
    const { BotOutbox, WebhookSubscription } = this.core.models;
    const now = this.core.now();
    const timeoutMs = this.core.config.WEBHOOK_TIMEOUT_SECONDS * 1000;
    const lease = new Date(now.getTime() + timeoutMs + LEASE_MARGIN_MS);
    const claimed = await this.claim(row, now, lease);
    if (claimed !== 1) return 'lost'; // another instance has it: a lost race, not an error
    const sub = await WebhookSubscription.findByPk(Number(row.targetId));
    if (!sub?.active) {
      await BotOutbox.update({ status: 'failed', error: '订阅已删除' }, { where: { id: row.id, status: 'sending' } });
      return 'failed';
    }
    const event = JSON.parse(row.payload) as WebhookEvent;
    const headers = {
      'Content-Type': 'application/json',
      'User-Agent': USER_AGENT,
      'X-Steward-Event': event.type,
      'X-Steward-Delivery': event.id,
      'X-Steward-Signature': signatureHeader(
        subscriptionSecret(this.core, sub),
        Math.floor(now.getTime() / 1000),
        row.payload,
      ),
    };
    const result = await postWebhook(this.core.config, sub.url, row.payload, headers, timeoutMs);
    return this.record(row, sub.id, now, result);
  }

  /**
   * Claims the row for this send (1 = ours). A lock conflict (a deadlock on MariaDB, a certification
   * failure on Galera) is retried by withTransaction while the row may still be free; one that
   * persists is a lost race, never the end of the lane.
   */
  private async claim(row: BotOutbox, now: Date, lease: Date): Promise<number> {
    const { BotOutbox, sequelize } = this.core.models;
    const [claimed] = await unlessLockConflict(
      withTransaction(sequelize, (t) =>
        BotOutbox.update(
          { status: 'sending', attempts: row.attempts + 1, notBefore: lease, lastAttemptAt: now },
          {
            where: { id: row.id, status: 'pending', attempts: row.attempts, notBefore: { [Op.lte]: now } },
            transaction: t,
          },
        ),
      ),
      [0],
    );
    return claimed;
  }

  /** Writes the attempt to the delivery log and moves the row on: sent, retry later, or failed. */
  private async record(row: BotOutbox, subscriptionId: number, at: Date, result: SendResult): Promise<Outcome> {
    const { BotOutbox, WebhookAttempt } = this.core.models;
    const ok = result.status !== null && result.status >= 200 && result.status < 300;
    const error = ok ? null : (result.error ?? `HTTP ${result.status}`);
    await WebhookAttempt.create({
      outboxId: row.id,
      subscriptionId,
      at,
      httpStatus: result.status,
      ms: result.ms,
      error,
    });
    if (ok) {
      await BotOutbox.update(
        { status: 'sent', sentAt: this.core.now(), httpStatus: result.status, error: null },
        { where: { id: row.id, status: 'sending' } },
      );
      return 'sent';
    }
    const now = this.core.now();
    const dead = now.getTime() - row.createdAt.getTime() >= RETRY_WINDOW_MS;
    await BotOutbox.update(
      {
        status: dead ? 'failed' : 'pending',
        httpStatus: result.status,
        error,
        notBefore: new Date(now.getTime() + backoffMs(row.attempts + 1)),
      },
      { where: { id: row.id, status: 'sending' } },
    );
    this.core.logger.warn(
      { outboxId: row.id, subscriptionId, httpStatus: result.status, err: error, dead },
      'webhook not delivered',
    );
    return dead ? 'failed' : 'retry';
  }
}
