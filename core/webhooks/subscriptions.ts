import { Op } from 'sequelize';
import type { BotOutbox, WebhookSubscription } from '../../models/index.js';
import { withTransaction } from '../../models/tx.js';
import type { Actor, Core } from '../context.js';
import { DomainError, validationError } from '../errors.js';
import { assertCan } from '../permissions.js';
import { decrypt, encrypt } from '../privacy.js';
import { parseEventList } from './catalogue.js';
import { forgetSubscriptions, wakeDispatcher, WEBHOOK_DOOR } from './enqueue.js';
import { newSecret } from './signature.js';
import { checkTarget, parseTargetUrl } from './targets.js';

export interface SubscriptionInput {
  url: string;
  /** Comma-separated event types or a list; `*` = all. */
  events: string | readonly string[];
  /** The signing secret; generated (whsec_…) when left out. */
  secret?: string | null;
}

/** A subscription as doors show it: never the secret. */
export interface SubscriptionView {
  id: number;
  url: string;
  events: string;
  active: boolean;
  createdBy: string;
  createdAt: string;
}

function view(s: WebhookSubscription): SubscriptionView {
  return {
    id: s.id,
    url: s.url,
    events: s.events,
    active: s.active,
    createdBy: s.createdBy,
    createdAt: s.createdAt.toISOString(),
  };
}

function checkSecret(raw: string | null | undefined): string | null {
  const secret = raw?.trim() || null;
  if (secret !== null && (secret.length < 16 || secret.length > 200 || /\s/.test(secret))) {
    throw validationError([{ field: 'secret', message: '签名密钥应为 16–200 个不含空格的字符; 留空则自动生成' }]);
  }
  return secret;
}

/**
 * Subscribes a URL to event types. The URL must be http(s) and must not resolve to a private
 * address unless allowed; the secret is stored encrypted and returned here only, once.
 */
export async function addSubscription(
  core: Core,
  actor: Actor,
  input: SubscriptionInput,
): Promise<{ subscription: SubscriptionView; secret: string; generated: boolean }> {
  assertCan(actor.operator, 'integrations');
  const url = parseTargetUrl(input.url);
  const events = parseEventList(input.events);
  const given = checkSecret(input.secret);
  await checkTarget(core.config, url);
  const secret = given ?? newSecret();
  const row = await core.models.WebhookSubscription.create({
    url: url.toString(),
    events,
    secretEnc: encrypt(core.keys, secret)!,
    active: true,
    createdBy: actor.operator.displayName.slice(0, 100),
  });
  forgetSubscriptions(core);
  core.logger.info(
    { requestId: actor.requestId, door: actor.door, subscriptionId: row.id, events },
    'webhook subscription added',
  );
  return { subscription: view(row), secret, generated: given === null };
}

/** Every subscription, active ones first. */
export async function listSubscriptions(core: Core, actor: Actor): Promise<SubscriptionView[]> {
  assertCan(actor.operator, 'integrations');
  const rows = await core.models.WebhookSubscription.findAll({
    order: [
      ['active', 'DESC'],
      ['id', 'ASC'],
    ],
  });
  return rows.map(view);
}

/**
 * Removes a subscription: it stops receiving, and its undelivered rows are marked failed
 * (订阅已删除). The row stays, inactive, so the delivery log still names it.
 */
export async function removeSubscription(core: Core, actor: Actor, id: number): Promise<SubscriptionView> {
  assertCan(actor.operator, 'integrations');
  const result = await withTransaction(core.models.sequelize, async (t) => {
    const row = await core.models.WebhookSubscription.findByPk(id, { transaction: t, lock: t.LOCK.UPDATE });
    if (!row || !row.active)
      throw new DomainError(
        'NOT_FOUND',
        `没有编号为 ${id} 的 webhook 订阅 (或已删除)。用 steward webhooks list 查看现有订阅。`,
        { id },
      );
    await row.update({ active: false }, { transaction: t });
    await core.models.BotOutbox.update(
      { status: 'failed', error: '订阅已删除' },
      {
        where: { door: WEBHOOK_DOOR, targetId: String(id), status: { [Op.in]: ['pending', 'sending'] } },
        transaction: t,
      },
    );
    return view(row);
  });
  forgetSubscriptions(core);
  core.logger.info(
    { requestId: actor.requestId, door: actor.door, subscriptionId: id },
    'webhook subscription removed',
  );
  return result;
}

/** The plaintext signing secret of a subscription (for the dispatcher). */
export function subscriptionSecret(core: Core, s: Pick<WebhookSubscription, 'secretEnc'>): string {
  const secret = decrypt(core.keys, s.secretEnc);
  if (!secret) throw new Error('webhook secret could not be decrypted');
  return secret;
}

/**
 * 重新投递: queues the same event (same body and event id, signed anew when sent) at the end of
 * its subscriber's lane. Works for delivered and failed rows alike.
 */
export async function replayDelivery(core: Core, actor: Actor, deliveryId: number): Promise<BotOutbox> {
  assertCan(actor.operator, 'integrations');
  const row = await core.models.BotOutbox.findByPk(deliveryId);
  if (!row || row.door !== WEBHOOK_DOOR)
    throw new DomainError(
      'NOT_FOUND',
      `没有编号为 ${deliveryId} 的 webhook 投递记录。请在后台「Webhook 投递记录」里查看编号。`,
      { deliveryId },
    );
  const sub = await core.models.WebhookSubscription.findByPk(Number(row.targetId));
  if (!sub?.active)
    throw new DomainError('CONFLICT', `投递 ${deliveryId} 的订阅已删除, 无法重新投递。`, { deliveryId });
  const now = core.now();
  const copy = await core.models.BotOutbox.create({
    door: WEBHOOK_DOOR,
    targetKind: 'webhook',
    targetId: row.targetId,
    payload: row.payload,
    notBefore: now,
    ref: row.ref,
    responseCode: null,
    error: null,
    createdAt: now,
    sentAt: null,
  });
  core.logger.info(
    { requestId: actor.requestId, door: actor.door, deliveryId, replayId: copy.id },
    'webhook delivery replayed',
  );
  wakeDispatcher(core);
  return copy;
}
