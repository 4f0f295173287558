import { afterEach, beforeEach, expect, it, jest } from '@jest/globals';
import { Ajv } from 'ajv';
import addFormats from 'ajv-formats';
import { API_CUSTOMER_SCHEMA } from '../../core/customers/api-view.js';
import { deactivate, reactivate } from '../../core/customers/status.js';
import { verifySignature } from '../../core/webhooks/signature.js';
import { withTransaction } from '../../models/tx.js';
import { WebhookDispatcher } from '../../api/webhooks/dispatcher.js';
import { Dispatcher as ChatDispatcher } from '../../bot/notify/dispatcher.js';
import { eachDialect, type Harness } from '../helpers/db.js';
import { newCustomer } from '../core/fixtures.js';
import { deliveriesOf, noSubscriptions, subscribe, WEBHOOK_ENV } from './fixtures.js';
import { refusingUrl, startReceiver, type Receiver } from './receiver.js';

const ajv = new Ajv({ strict: false });
(addFormats as unknown as (a: Ajv) => void)(ajv);
const isApiCustomer = ajv.compile(API_CUSTOMER_SCHEMA);

let rx: Receiver;
const start = new Date('2026-12-01T02:00:00.000Z');

/** The actor that changes customers, and a clock moved `ms` after the start. */
function webhookTools(h: Harness) {
  const seller = () => h.actor('Webhook销售', ['admin']);
  const later = (ms: number) => h.setNow(new Date(start.getTime() + ms));
  return { seller, later };
}

/** Before each test: no subscriptions, the clock at the start, a fresh receiver. */
function setupReceiver(h: Harness): void {
  beforeEach(async () => {
    h.setNow(start);
    await noSubscriptions(h);
    rx = await startReceiver();
  });
  afterEach(async () => {
    h.setNow(null);
    await rx.close();
  });
}

eachDialect(
  'webhook delivery: signed, with the customer as the API shows it',
  (h) => {
    setupReceiver(h);
    const { seller } = webhookTools(h);

    it('deactivating a customer delivers customer.deactivated, signed, with the customer as the API shows it', async () => {
      const { id, secret } = await subscribe(h, rx.url, 'customer.deactivated');
      const c = await newCustomer(h, await seller());
      await deactivate(h.core, await seller(), c.code, { reason: '客户要求', memo: '暂停合作' });
      expect(await new WebhookDispatcher(h.core).pass()).toBe(1);

      expect(rx.received).toHaveLength(1);
      const [req] = rx.received;
      const body = JSON.parse(req!.body) as {
        id: string;
        type: string;
        createdAt: string;
        data: { customer: Record<string, unknown>; version: number };
      };
      expect(req!.headers['content-type']).toBe('application/json');
      expect(req!.headers['user-agent']).toMatch(/customer-steward/);
      expect(req!.headers['x-steward-event']).toBe('customer.deactivated');
      expect(req!.headers['x-steward-delivery']).toBe(body.id);
      // Verified as a receiver would: the raw body, the shared secret and a 5-minute tolerance.
      const now = Math.floor(start.getTime() / 1000);
      expect(verifySignature(secret, req!.headers['x-steward-signature'] as string, req!.body, now)).toBe(true);
      expect(
        verifySignature(
          secret,
          req!.headers['x-steward-signature'] as string,
          req!.body.replace('暂停合作', '恢复合作'),
          now,
        ),
      ).toBe(false);
      expect(verifySignature(secret, req!.headers['x-steward-signature'] as string, req!.body, now + 301)).toBe(false);
      expect(verifySignature('whsec_wrong', req!.headers['x-steward-signature'] as string, req!.body, now)).toBe(false);

      expect(body.type).toBe('customer.deactivated');
      expect(body.id).toMatch(/^[0-9a-f-]{36}$/);
      expect(body.createdAt).toBe(start.toISOString());
      expect(isApiCustomer(body.data.customer)).toBe(true);
      expect(body.data.customer).toMatchObject({
        code: c.code,
        name: c.name,
        status: 'inactive',
        deactivation: { reason: '客户要求', memo: '暂停合作' },
        version: c.version + 1,
      });
      expect(body.data.version).toBe(c.version + 1);

      const [row] = await deliveriesOf(h, id);
      expect(row).toMatchObject({ status: 'sent', httpStatus: 200, attempts: 1, error: null, ref: body.id });
      const log = await h.core.models.WebhookAttempt.findAll({ where: { outboxId: row!.id } });
      expect(log.map((a) => a.httpStatus)).toEqual([200]);
    });
  },
  WEBHOOK_ENV,
);

eachDialect(
  'webhook delivery: rolled-back changes, subscribed types, a dead subscriber',
  (h) => {
    setupReceiver(h);
    const { seller } = webhookTools(h);

    it('queues nothing for a rolled-back change, and only the event types subscribed to', async () => {
      const { id } = await subscribe(h, rx.url, 'customer.deactivated');
      const c = await newCustomer(h, await seller());
      // Looked up before the transaction: on SQLite a second transaction inside it would wait for its lock.
      const actor = await seller();
      await expect(
        withTransaction(h.core.models.sequelize, async (t) => {
          await deactivate(h.core, actor, c.code, { reason: '客户要求' }, { transaction: t });
          throw new Error('a later step failed');
        }),
      ).rejects.toThrow('a later step failed');
      expect(await deliveriesOf(h, id)).toHaveLength(0);
      expect(await new WebhookDispatcher(h.core).pass()).toBe(0);
      expect(rx.received).toHaveLength(0);
      // customer.created was not subscribed to: the create above queued nothing either.
      const view = await h.core.models.Customer.findOne({ where: { code: c.code } });
      expect(view?.status).toBe('active');
    });

    it('does not let a dead subscriber delay another one', async () => {
      const dead = await startReceiver();
      dead.answers.push('hang');
      // A lane that fails logs an error and leaves its row: show it if the refused row is untried.
      const laneErrors: string[] = [];
      const spy = jest.spyOn(h.core.logger, 'error').mockImplementation(((o: { err?: Error }, msg?: string) => {
        laneErrors.push(`${msg ?? ''}: ${o?.err?.message ?? String(o)}`);
      }) as never);
      try {
        const slow = await subscribe(h, dead.url, 'customer.deactivated');
        const refused = await subscribe(h, await refusingUrl(), 'customer.deactivated');
        const healthy = await subscribe(h, rx.url, 'customer.deactivated');
        const c = await newCustomer(h, await seller());
        await deactivate(h.core, await seller(), c.code, { reason: '客户要求' });
        let passDone = false;
        const pass = new WebhookDispatcher(h.core).pass().then((n) => {
          passDone = true;
          return n;
        });
        // The healthy subscriber gets its event while the dead one is still being waited for.
        await rx.waitFor(1);
        expect(passDone).toBe(false);
        expect(await pass).toBe(1);
        expect((await deliveriesOf(h, healthy.id))[0]).toMatchObject({ status: 'sent' });
        const hung = (await deliveriesOf(h, slow.id))[0]!;
        expect(hung).toMatchObject({ status: 'pending', httpStatus: null });
        expect(hung.error).toContain('超时');
        const refusedRow = (await deliveriesOf(h, refused.id))[0]!;
        expect(refusedRow).toMatchObject({ status: 'pending', httpStatus: null });
        expect({ error: refusedRow.error, laneErrors }).toEqual({
          error: expect.stringContaining('ECONNREFUSED'),
          laneErrors: [],
        });
      } finally {
        spy.mockRestore();
        await dead.close();
      }
    });
  },
  WEBHOOK_ENV,
);

eachDialect(
  'webhook delivery: order under retries, back-off, giving up',
  (h) => {
    setupReceiver(h);
    const { seller, later } = webhookTools(h);

    it('keeps one subscriber in order under retries, backs off, and gives up after 24 h', async () => {
      const { id } = await subscribe(h, rx.url, 'customer.deactivated,customer.reactivated');
      const c = await newCustomer(h, await seller());
      await deactivate(h.core, await seller(), c.code, { reason: '客户要求' });
      await reactivate(h.core, await seller(), c.code);
      rx.answers.push(500);
      const d = new WebhookDispatcher(h.core);
      expect(await d.pass()).toBe(0);
      // The failed first event holds back the second: one request so far.
      expect(rx.received.map((r) => r.headers['x-steward-event'])).toEqual(['customer.deactivated']);
      let [first, second] = await deliveriesOf(h, id);
      expect(first).toMatchObject({ status: 'pending', attempts: 1, httpStatus: 500, error: 'HTTP 500' });
      expect(first!.notBefore.getTime()).toBeGreaterThan(start.getTime() + 20_000);
      expect(second).toMatchObject({ status: 'pending', attempts: 0 });
      expect(await d.pass()).toBe(0); // not due yet
      expect(rx.received).toHaveLength(1);

      later(3600_000);
      expect(await d.pass()).toBe(2);
      expect(rx.received.map((r) => r.headers['x-steward-event'])).toEqual([
        'customer.deactivated',
        'customer.deactivated',
        'customer.reactivated',
      ]);
      expect(rx.received[1]!.headers['x-steward-delivery']).toBe(rx.received[0]!.headers['x-steward-delivery']);
      [first, second] = await deliveriesOf(h, id);
      expect([first!.status, second!.status]).toEqual(['sent', 'sent']);
      expect(
        (await h.core.models.WebhookAttempt.findAll({ where: { outboxId: first!.id }, order: [['id', 'ASC']] })).map(
          (a) => a.httpStatus,
        ),
      ).toEqual([500, 200]);

      // A subscriber that keeps failing is retried until 24 h after the event, then marked failed.
      await deactivate(h.core, await seller(), c.code, { reason: '信用风险' });
      rx.answers.push(503, 503);
      expect(await d.pass()).toBe(0);
      later(3600_000 + 25 * 3600_000);
      expect(await d.pass()).toBe(0);
      const third = (await deliveriesOf(h, id))[2]!;
      expect(third).toMatchObject({ status: 'failed', attempts: 2, httpStatus: 503 });
    });
  },
  WEBHOOK_ENV,
);

eachDialect(
  'webhook delivery: the shared outbox, and replays',
  (h) => {
    setupReceiver(h);
    const { seller, later } = webhookTools(h);

    it("shares the outbox with chat messages without either taking the other's rows", async () => {
      const dead = await startReceiver();
      dead.answers.push('hang');
      try {
        const { id } = await subscribe(h, dead.url, 'customer.deactivated');
        const c = await newCustomer(h, await seller());
        await deactivate(h.core, await seller(), c.code, { reason: '客户要求' });
        const webhooks = new WebhookDispatcher(h.core).pass();
        await dead.waitFor(1);
        // Mid-send: the chat dispatcher's pass neither sends nor re-queues the webhook row under its lease.
        expect(await new ChatDispatcher(h.core).drain()).toBe(0);
        expect((await deliveriesOf(h, id))[0]).toMatchObject({ status: 'sending', attempts: 1 });
        await webhooks;
        expect((await deliveriesOf(h, id))[0]).toMatchObject({ status: 'pending', attempts: 1 });
      } finally {
        await dead.close();
      }
    });

    it('replays a delivery with the same event id at the end of its lane, signed anew', async () => {
      const { id, secret } = await subscribe(h, rx.url, 'customer.deactivated,customer.reactivated');
      const c = await newCustomer(h, await seller());
      await deactivate(h.core, await seller(), c.code, { reason: '客户要求' });
      const d = new WebhookDispatcher(h.core);
      await d.pass();
      const [sent] = await deliveriesOf(h, id);
      await reactivate(h.core, await seller(), c.code);
      const { replayDelivery } = await import('../../core/webhooks/subscriptions.js');
      later(60_000);
      const copy = await replayDelivery(h.core, await h.actor('Webhook管理员', ['admin']), sent!.id);
      expect(copy.id).toBeGreaterThan(sent!.id);
      expect(await d.pass()).toBe(2);
      expect(rx.received.map((r) => r.headers['x-steward-event'])).toEqual([
        'customer.deactivated',
        'customer.reactivated',
        'customer.deactivated',
      ]);
      const replayed = rx.received[2]!;
      expect(replayed.body).toBe(rx.received[0]!.body);
      expect(replayed.headers['x-steward-delivery']).toBe(rx.received[0]!.headers['x-steward-delivery']);
      expect(replayed.headers['x-steward-signature']).not.toBe(rx.received[0]!.headers['x-steward-signature']);
      expect(
        verifySignature(
          secret,
          replayed.headers['x-steward-signature'] as string,
          replayed.body,
          Math.floor((start.getTime() + 60_000) / 1000),
        ),
      ).toBe(true);
    });
  },
  WEBHOOK_ENV,
);
