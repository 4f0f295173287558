import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { WebhookDispatcher } from '../../api/webhooks/dispatcher.js';
import type { Core } from '../../core/context.js';
import { createCustomer } from '../../core/customers/create.js';
import { verifySignature } from '../../core/webhooks/signature.js';
import { eachDialect } from '../helpers/db.js';
import { secondCore, startApi, type ApiHarness } from '../helpers/api-app.js';
import { noSubscriptions, subscribe, WEBHOOK_ENV } from '../webhooks/fixtures.js';
import { startReceiver, type Receiver } from '../webhooks/receiver.js';

// The README's last step: a change made through the API reaches a subscriber, signed, and the
// customer in the event is the customer the API answers with. The sender is another instance.
eachDialect(
  'webhooks: a change through the HTTP API is delivered by another instance',
  (h) => {
    let api: ApiHarness;
    let rx: Receiver;
    let other: Core;
    beforeAll(async () => {
      api = await startApi(h);
      rx = await startReceiver();
      other = secondCore(h);
      await noSubscriptions(h);
    });
    afterAll(async () => {
      await api?.close();
      await rx?.close();
      await other?.models.sequelize.close();
    });

    it('POST /customers/{code}/deactivate → customer.deactivated, signed, with the API shape', async () => {
      const { secret } = await subscribe(h, rx.url, 'customer.deactivated');
      const { customer } = await createCustomer(h.core, await h.actor('api-webhook-admin', ['admin']), {
        name: '杭州推送测试有限公司',
        phone: '13800002222',
      });
      const token = await api.token(['customers:write', 'customers:read']);
      const res = await api.call('POST', `/api/v1/customers/${customer.code}/deactivate`, {
        token,
        body: { reason: '信用风险', memo: '逾期未付' },
      });
      expect(res.status).toBe(200);

      expect(await new WebhookDispatcher(other).pass()).toBe(1);
      expect(rx.received).toHaveLength(1);
      const req = rx.received[0]!;
      expect(
        verifySignature(secret, req.headers['x-steward-signature'] as string, req.body, Math.floor(Date.now() / 1000)),
      ).toBe(true);
      const event = JSON.parse(req.body) as { type: string; data: { customer: unknown; version: number } };
      expect(event.type).toBe('customer.deactivated');
      expect(event.data.customer).toEqual(res.body);
      expect(event.data.version).toBe(res.body.version);
      expect(JSON.stringify(event)).not.toContain('13800002222');
    });
  },
  WEBHOOK_ENV,
);
