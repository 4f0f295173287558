import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { deactivate } from '../../core/customers/status.js';
import { WebhookDispatcher } from '../../api/webhooks/dispatcher.js';
import { eachDialect, type Harness } from '../helpers/db.js';
import { newCustomer } from '../core/fixtures.js';
import { clientAs, startAdmin, type AdminClient } from '../admin/helpers.js';
import { WEBHOOK_ENV } from './fixtures.js';
import { startReceiver, type Receiver } from './receiver.js';

type Rec = { id: number; params: Record<string, unknown>; recordActions: { name: string }[] };
type Answer = { notice?: { message: string; type: string }; record: Rec; records?: Rec[]; error?: { code: string } };

let server: Awaited<ReturnType<typeof startAdmin>>;
let rx: Receiver;
let boss: AdminClient;
let sales: AdminClient;

/** The back office (hookboss, admin; hooksales, sales) and a receiver for the webhooks. */
function setupBackOffice(h: Harness): void {
  beforeAll(async () => {
    server = await startAdmin(h.core);
    rx = await startReceiver();
    boss = (await clientAs(h.core, server.url, 'hookboss', ['admin'])).client;
    sales = (await clientAs(h.core, server.url, 'hooksales', ['sales'])).client;
  });
  afterAll(async () => {
    await server?.close();
    await rx?.close();
  });
}

eachDialect(
  'back office: webhook subscriptions and the delivery log',
  (h) => {
    setupBackOffice(h);

    it('lets an admin subscribe (secret shown once, stored encrypted), read the log and replay; sales sees neither', async () => {
      const bad = (
        await boss.post('/admin/api/resources/webhook_subscriptions/actions/new', {
          url: 'http://10.9.9.9/x',
          events: 'customer.deactivated',
        })
      ).json<Answer>();
      expect(bad.notice?.type).toBe('error');
      expect(bad.notice?.message).toContain('WEBHOOK_ALLOW_HOSTS');

      const created = (
        await boss.post('/admin/api/resources/webhook_subscriptions/actions/new', {
          url: rx.url,
          events: 'customer.deactivated',
        })
      ).json<Answer>();
      expect(created.notice?.type).toBe('success');
      const secret = /whsec_[A-Za-z0-9_-]+/.exec(created.notice!.message)?.[0];
      expect(secret).toBeDefined();
      expect(JSON.stringify(created.record.params)).not.toContain(secret!);

      const c = await newCustomer(h, await h.actor('Webhook后台', ['admin']));
      await deactivate(h.core, await h.actor('Webhook后台', ['admin']), c.code, { reason: '客户要求' });
      rx.answers.push(500);
      await new WebhookDispatcher(h.core).pass();

      const list = (await boss.list('webhook_deliveries')).json<Answer>();
      expect(
        list.records!.map((r) => [
          r.params.eventType,
          r.params.customerCode,
          r.params.status,
          r.params.httpStatus,
          r.params.error,
        ]),
      ).toEqual([['customer.deactivated', c.code, 'pending', 500, 'HTTP 500']]);
      const id = list.records![0]!.id;
      const shown = (await boss.action('webhook_deliveries', id, 'show')).json<Answer>();
      expect(shown.record.params.attemptLog).toMatch(/ {2}500 {2}\d+ ms {2}HTTP 500$/);
      expect(shown.record.recordActions.map((a) => a.name)).toContain('replay');

      const replayed = (await boss.action('webhook_deliveries', id, 'replay', {})).json<Answer>();
      expect(replayed.notice).toMatchObject({ type: 'success' });
      expect(
        await h.core.models.BotOutbox.count({
          where: { door: 'webhook', ref: list.records![0]!.params.ref as string },
        }),
      ).toBe(2);

      expect((await sales.list('webhook_deliveries')).status).toBe(403);
      expect((await sales.list('webhook_subscriptions')).status).toBe(403);
      expect(
        (await sales.post('/admin/api/resources/webhook_subscriptions/actions/new', { url: rx.url, events: '*' }))
          .status,
      ).toBe(403);
    });
  },
  WEBHOOK_ENV,
);
