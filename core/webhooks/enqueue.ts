import crypto from 'node:crypto';
import { Op, type Transaction } from 'sequelize';
import type { AuditEvent, Customer } from '../../models/index.js';
import type { AuditInput } from '../audit.js';
import type { Actor, Core } from '../context.js';
import { toApiCustomer, type ApiCustomer } from '../customers/api-view.js';
import { withLastOrders } from '../customers/last-order.js';
import { AUDIT_ACTION_EVENTS, subscribesTo, type WebhookEventType } from './catalogue.js';

/** Outbox rows of webhook deliveries carry this door and target kind; targetId is the subscription id. */
export const WEBHOOK_DOOR = 'webhook';

/** The JSON body of one delivery, exactly as signed and sent. */
export interface WebhookEvent {
  id: string;
  type: WebhookEventType;
  createdAt: string;
  data: { customer: ApiCustomer; version: number };
}

interface ActiveSubscription {
  id: number;
  events: string;
}

/**
 * Active subscriptions are read in every lifecycle transaction, so they are cached per core for
 * a few seconds (wall clock); this instance's own changes clear the cache at once. Another
 * instance's new subscription is seen within CACHE_MS.
 */
const CACHE_MS = 3_000;
const cache = new WeakMap<Core, { at: number; subs: ActiveSubscription[] }>();
const listeners = new WeakMap<Core, Set<() => void>>();

/** Drops the cached subscription list (after a subscription changed). */
export function forgetSubscriptions(core: Core): void {
  cache.delete(core);
}

/** The active subscriptions (id and events), from a short-lived cache. */
export async function activeSubscriptions(core: Core, t?: Transaction): Promise<ActiveSubscription[]> {
  const hit = cache.get(core);
  if (hit && Date.now() - hit.at < CACHE_MS) return hit.subs;
  const rows = await core.models.WebhookSubscription.findAll({
    where: { active: true },
    attributes: ['id', 'events'],
    order: [['id', 'ASC']],
    transaction: t,
  });
  const subs = rows.map((r) => ({ id: r.id, events: r.events }));
  cache.set(core, { at: Date.now(), subs });
  return subs;
}

/** Calls `fn` whenever deliveries were queued and committed on this core (wakes the dispatcher). */
export function onWebhooksQueued(core: Core, fn: () => void): () => void {
  const set = listeners.get(core) ?? new Set();
  listeners.set(core, set);
  set.add(fn);
  return () => set.delete(fn);
}

/** Tells this core's dispatcher that deliveries are waiting. */
export function wakeDispatcher(core: Core): void {
  for (const fn of listeners.get(core) ?? []) fn();
}

function wakeAfterCommit(core: Core, t: Transaction): void {
  t.afterCommit(() => wakeDispatcher(core));
}

async function ownerNames(core: Core, customers: Customer[], t: Transaction): Promise<Map<number, string>> {
  const ids = [...new Set(customers.map((c) => c.ownerId).filter((id): id is number => id !== null))];
  if (!ids.length) return new Map();
  const ops = await core.models.Operator.findAll({
    where: { id: ids },
    attributes: ['id', 'displayName'],
    transaction: t,
  });
  return new Map(ops.map((o) => [o.id, o.displayName]));
}

/** The event body for one customer as it stands inside the transaction. */
function buildEvent(
  core: Core,
  type: WebhookEventType,
  customer: Customer,
  ownerName: string | null,
  at: Date,
): WebhookEvent {
  return {
    id: crypto.randomUUID(),
    type,
    createdAt: at.toISOString(),
    data: { customer: toApiCustomer(core, customer, ownerName), version: customer.version },
  };
}

/** Inserts one outbox row per (event, interested subscription), in event order. */
async function insertDeliveries(
  core: Core,
  t: Transaction,
  subs: ActiveSubscription[],
  events: WebhookEvent[],
): Promise<number> {
  const now = core.now();
  const rows = events.flatMap((e) => {
    const body = JSON.stringify(e);
    return subs
      .filter((s) => subscribesTo(s.events, e.type))
      .map((s) => ({
        door: WEBHOOK_DOOR,
        targetKind: 'webhook' as const,
        targetId: String(s.id),
        payload: body,
        notBefore: now,
        ref: e.id,
        responseCode: null,
        error: null,
        createdAt: now,
        sentAt: null,
      }));
  });
  for (let i = 0; i < rows.length; i += 500)
    await core.models.BotOutbox.bulkCreate(rows.slice(i, i + 500), { transaction: t });
  if (rows.length) wakeAfterCommit(core, t);
  return rows.length;
}

/**
 * Called by appendAudit inside the lifecycle transaction: queues the matching webhook event for
 * every active subscription that wants it. A rolled-back change takes its rows with it.
 */
export async function enqueueWebhookEvents(
  core: Core,
  t: Transaction,
  _actor: Actor,
  input: AuditInput,
  event: AuditEvent,
): Promise<number> {
  const type = AUDIT_ACTION_EVENTS[input.action];
  if (!type || !input.customerId) return 0;
  const subs = (await activeSubscriptions(core, t)).filter((s) => subscribesTo(s.events, type));
  if (!subs.length) return 0;
  const customer = await core.models.Customer.findByPk(input.customerId, { transaction: t });
  if (!customer) return 0;
  await withLastOrders(core, [customer], t);
  const owners = await ownerNames(core, [customer], t);
  return insertDeliveries(core, t, subs, [
    buildEvent(core, type, customer, owners.get(customer.ownerId ?? 0) ?? null, event.at),
  ]);
}

/** Collects the customers of a bulk append (import, undo) and queues their events at the end. */
export interface WebhookBatch {
  add(input: AuditInput): void;
  flush(): Promise<number>;
}

/**
 * For appendAuditMany: null (one cached query, nothing else) when no active subscription wants
 * customer.created or customer.updated; otherwise a collector turning `customer.import` parts
 * into customer.created and `customer.edit` into customer.updated, one per customer.
 */
export async function webhookBatch(core: Core, t: Transaction): Promise<WebhookBatch | null> {
  const subs = (await activeSubscriptions(core, t)).filter(
    (s) => subscribesTo(s.events, 'customer.created') || subscribesTo(s.events, 'customer.updated'),
  );
  if (!subs.length) return null;
  const wanted: Array<{ id: number; type: WebhookEventType }> = [];
  return {
    add(input) {
      if (input.action === 'customer.import') {
        const created = (input.after as { created?: Array<{ id: number }> } | null)?.created ?? [];
        for (const c of created) wanted.push({ id: Number(c.id), type: 'customer.created' });
      } else if (input.action === 'customer.edit' && input.customerId)
        wanted.push({ id: input.customerId, type: 'customer.updated' });
    },
    async flush() {
      let queued = 0;
      const at = new Date(Math.floor(core.now().getTime()));
      for (let i = 0; i < wanted.length; i += 500) {
        const part = wanted.slice(i, i + 500);
        const customers = await core.models.Customer.findAll({
          where: { id: { [Op.in]: part.map((w) => w.id) } },
          transaction: t,
        });
        await withLastOrders(core, customers, t);
        const byId = new Map(customers.map((c) => [c.id, c]));
        const owners = await ownerNames(core, customers, t);
        const events = part
          .filter((w) => byId.has(w.id))
          .map((w) => {
            const c = byId.get(w.id)!;
            return buildEvent(core, w.type, c, owners.get(c.ownerId ?? 0) ?? null, at);
          });
        queued += await insertDeliveries(core, t, subs, events);
      }
      return queued;
    },
  };
}
