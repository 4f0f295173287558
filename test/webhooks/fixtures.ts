import type { Harness } from '../helpers/db.js';
import { forgetSubscriptions } from '../../core/webhooks/enqueue.js';
import { addSubscription } from '../../core/webhooks/subscriptions.js';
import type { BotOutbox } from '../../models/index.js';

/** Extra env for eachDialect: the receivers listen on 127.0.0.1; a short timeout keeps dead-subscriber tests quick. */
export const WEBHOOK_ENV = { WEBHOOK_ALLOW_HOSTS: '127.0.0.1', WEBHOOK_TIMEOUT_SECONDS: '1' };

/** Retires every subscription left by earlier tests (they share the database), so each test starts clean. */
export async function noSubscriptions(h: Harness): Promise<void> {
  const { WebhookSubscription, BotOutbox } = h.core.models;
  await WebhookSubscription.update({ active: false }, { where: { active: true } });
  await BotOutbox.update({ status: 'failed' }, { where: { door: 'webhook', status: ['pending', 'sending'] } });
  forgetSubscriptions(h.core);
}

/** Subscribes `url` as an admin; returns the subscription id and its secret. */
export async function subscribe(
  h: Harness,
  url: string,
  events = '*',
  secret?: string,
): Promise<{ id: number; secret: string }> {
  const admin = await h.actor('Webhook管理员', ['admin']);
  const r = await addSubscription(h.core, admin, { url, events, secret });
  return { id: r.subscription.id, secret: r.secret };
}

/** A subscription's outbox rows, oldest first. */
export async function deliveriesOf(h: Harness, subscriptionId: number): Promise<BotOutbox[]> {
  return h.core.models.BotOutbox.findAll({
    where: { door: 'webhook', targetId: String(subscriptionId) },
    order: [['id', 'ASC']],
  });
}
