import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { openCore } from '../../core/boot.js';
import { createLogger } from '../../core/logger.js';
import { deactivate } from '../../core/customers/status.js';
import { editCustomer } from '../../core/customers/edit.js';
import { importCustomers } from '../../core/data/import.js';
import { approve } from '../../core/deletion/approvals.js';
import { requestDeletion } from '../../core/deletion/request.js';
import { purgeEntry, restoreCustomer } from '../../core/deletion/recycle.js';
import { isPrivateAddress, assertReachable } from '../../core/webhooks/targets.js';
import { addSubscription, listSubscriptions, removeSubscription } from '../../core/webhooks/subscriptions.js';
import { WebhookDispatcher } from '../../api/webhooks/dispatcher.js';
import { postWebhook } from '../../api/webhooks/send.js';
import { eachDialect, type Harness } from '../helpers/db.js';
import { expectRefused, newCustomer } from '../core/fixtures.js';
import { HEADERS, tempDir, writeCsv } from '../data/fixtures.js';
import { deliveriesOf, noSubscriptions, subscribe, WEBHOOK_ENV } from './fixtures.js';
import { startReceiver, type Receiver } from './receiver.js';

describe('webhook targets', () => {
  it('counts loopback, private, link-local, unspecified, multicast, ULA and IPv4-mapped addresses as private', () => {
    for (const ip of [
      '127.0.0.1',
      '10.1.2.3',
      '172.16.0.1',
      '192.168.1.1',
      '169.254.169.254',
      '0.0.0.0',
      '100.64.0.1',
      '224.0.0.1',
      '::1',
      '::',
      'fe80::1',
      'fd00::1',
      'ff02::1',
      '::ffff:127.0.0.1',
      '::ffff:a00:1',
    ]) {
      expect([ip, isPrivateAddress(ip)]).toEqual([ip, true]);
    }
    for (const ip of ['8.8.8.8', '114.114.114.114', '2400:3200::1', '::ffff:8.8.8.8'])
      expect([ip, isPrivateAddress(ip)]).toEqual([ip, false]);
  });

  it('allows a private address only when its host or IP is in WEBHOOK_ALLOW_HOSTS', () => {
    expect(() => assertReachable({ WEBHOOK_ALLOW_HOSTS: undefined }, '10.0.0.5', '10.0.0.5')).toThrow(
      'WEBHOOK_ALLOW_HOSTS',
    );
    expect(() => assertReachable({ WEBHOOK_ALLOW_HOSTS: 'erp.lan, 10.0.0.5' }, '10.0.0.5', '10.0.0.5')).not.toThrow();
    expect(() => assertReachable({ WEBHOOK_ALLOW_HOSTS: 'erp.lan' }, 'erp.lan', '10.0.0.9')).not.toThrow();
    expect(() => assertReachable({ WEBHOOK_ALLOW_HOSTS: 'erp.lan' }, 'other.lan', '10.0.0.9')).toThrow('内网');
  });

  it('checks the resolved address again at send time, so a name pointing inside is not reached', async () => {
    const rx = await startReceiver();
    try {
      const port = new URL(rx.url).port;
      // localhost is resolved by the request's own lookup; no allow list, so it is refused before connecting.
      const r = await postWebhook({ WEBHOOK_ALLOW_HOSTS: undefined }, `http://localhost:${port}/hooks`, '{}', {}, 2000);
      expect(r.status).toBeNull();
      expect(r.error).toContain('WEBHOOK_ALLOW_HOSTS');
      const literal = await postWebhook({ WEBHOOK_ALLOW_HOSTS: undefined }, rx.url, '{}', {}, 2000);
      expect(literal.error).toContain('内网');
      expect(rx.received).toHaveLength(0);
      const allowed = await postWebhook({ WEBHOOK_ALLOW_HOSTS: '127.0.0.1' }, rx.url, '{}', {}, 2000);
      expect(allowed).toMatchObject({ status: 200, error: null });
      expect(rx.received).toHaveLength(1);
    } finally {
      await rx.close();
    }
  });
});

let rx: Receiver;

/** Before each test: no subscriptions and a fresh receiver. */
function setupReceiver(h: Harness): void {
  beforeEach(async () => {
    await noSubscriptions(h);
    rx = await startReceiver();
  });
  afterEach(() => rx.close());
}

eachDialect(
  'webhook subscriptions: refusals, and removing one',
  (h) => {
    setupReceiver(h);
    const admin = () => h.actor('Webhook管理员', ['admin']);

    it('refuses bad URLs, unknown events, private targets not allowed, and non-admins, in Chinese', async () => {
      const a = await admin();
      await expectRefused(
        addSubscription(h.core, a, { url: 'ftp://example.com/x', events: '*' }),
        'VALIDATION',
        'http://',
      );
      await expectRefused(
        addSubscription(h.core, a, { url: 'not a url', events: '*' }),
        'VALIDATION',
        '不是合法的网址',
      );
      await expectRefused(
        addSubscription(h.core, a, { url: rx.url, events: 'customer.deactivated,customer.exploded' }),
        'VALIDATION',
        'customer.exploded',
      );
      await expectRefused(
        addSubscription(h.core, a, { url: 'http://10.0.0.7/hook', events: '*' }),
        'VALIDATION',
        'WEBHOOK_ALLOW_HOSTS',
      );
      await expectRefused(
        addSubscription(h.core, a, { url: 'http://[::ffff:169.254.169.254]/latest', events: '*' }),
        'VALIDATION',
        '内网',
      );
      await expectRefused(
        addSubscription(h.core, a, { url: rx.url, events: '*', secret: 'short' }),
        'VALIDATION',
        '签名密钥',
      );
      await expectRefused(
        addSubscription(h.core, await h.actor('Webhook销售员', ['sales']), { url: rx.url, events: '*' }),
        'NOT_PERMITTED',
        '管理系统对接',
      );
      expect(await h.core.models.WebhookSubscription.count({ where: { active: true } })).toBe(0);
    });

    it('removing a subscription stops its deliveries', async () => {
      const { id } = await subscribe(h, rx.url, 'customer.deactivated');
      const c = await newCustomer(h, await admin());
      await deactivate(h.core, await admin(), c.code, { reason: '客户要求' });
      await removeSubscription(h.core, await admin(), id);
      expect(await new WebhookDispatcher(h.core).pass()).toBe(0);
      expect(rx.received).toHaveLength(0);
      expect((await deliveriesOf(h, id)).map((r) => [r.status, r.error])).toEqual([['failed', '订阅已删除']]);
      await expectRefused(removeSubscription(h.core, await admin(), id), 'NOT_FOUND', 'steward webhooks list');
    });
  },
  WEBHOOK_ENV,
);

eachDialect(
  'webhook subscriptions: the secret, and every lifecycle event',
  (h) => {
    setupReceiver(h);
    const admin = () => h.actor('Webhook管理员', ['admin']);

    it('stores the signing secret encrypted only, and shows a generated one once', async () => {
      const given = 'my-shared-secret-0123456789';
      const r1 = await addSubscription(h.core, await admin(), {
        url: rx.url,
        events: 'customer.deactivated',
        secret: given,
      });
      const r2 = await addSubscription(h.core, await admin(), { url: rx.url, events: '*' });
      expect(r1).toMatchObject({ secret: given, generated: false });
      expect(r2.generated).toBe(true);
      expect(r2.secret).toMatch(/^whsec_[A-Za-z0-9_-]{40,}$/);
      const [rows] = await h.core.models.sequelize.query('SELECT * FROM webhook_subscriptions');
      const dump = JSON.stringify(rows);
      expect(dump).not.toContain(given);
      expect(dump).not.toContain(r2.secret.slice(6));
      const listed = await listSubscriptions(h.core, await admin());
      expect(JSON.stringify(listed)).not.toContain(given);
      expect(listed.filter((s) => s.active).map((s) => s.events)).toEqual(['customer.deactivated', '*']);
    });

    it('sends every lifecycle event type, in order, for the whole life of a customer', async () => {
      const { id } = await subscribe(h, rx.url, '*');
      const a = await admin();
      const approver = await h.actor('Webhook审批人', ['approver']);
      const c = await newCustomer(h, a);
      await editCustomer(h.core, a, c.code, { note: '改个备注', version: c.version });
      await deactivate(h.core, a, c.code, { reason: '客户要求' });
      const request = await requestDeletion(h.core, a, c.code, '不再合作');
      const deleted = await approve(h.core, approver, request.id);
      await restoreCustomer(h.core, a, c.code);
      const again = await requestDeletion(h.core, a, c.code, '确认不再合作');
      const second = await approve(h.core, approver, again.id);
      await purgeEntry(h.core, a, second.recycleEntryId!, { force: true });
      expect(deleted.recycleEntryId).toBeGreaterThan(0);
      await new WebhookDispatcher(h.core).pass();
      const got = rx.received.map(
        (r) =>
          JSON.parse(r.body) as { type: string; data: { customer: { status: string; name: string }; version: number } },
      );
      expect(got.map((e) => e.type)).toEqual([
        'customer.created',
        'customer.updated',
        'customer.deactivated',
        'customer.deletion_requested',
        'customer.deleted',
        'customer.restored',
        'customer.deletion_requested',
        'customer.deleted',
        'customer.purged',
      ]);
      expect(got.map((e) => e.data.version)).toEqual([...got.map((e) => e.data.version)].sort((x, y) => x - y));
      expect(got[4]!.data.customer.status).toBe('deleted');
      expect(got[8]!.data.customer.name).toMatch(/^已删除客户-/);
      expect((await deliveriesOf(h, id)).every((r) => r.status === 'sent')).toBe(true);
    });
  },
  WEBHOOK_ENV,
);

eachDialect(
  'webhook subscriptions: imports, and two dispatchers on one database',
  (h) => {
    setupReceiver(h);
    const admin = () => h.actor('Webhook管理员', ['admin']);

    it('an import sends customer.created and customer.updated per customer when subscribed', async () => {
      const dir = tempDir();
      const a = await admin();
      const existing = await newCustomer(h, a, { note: '旧备注' });
      const file = writeCsv(path.join(dir, 'hooks.csv'), [
        HEADERS,
        ['', '导入新建甲有限公司', '', '', '', '', '', '', ''],
        [existing.code, existing.name, '', '', '', '', '', '', '新备注'],
      ]);
      const { id } = await subscribe(h, rx.url, 'customer.created,customer.updated');
      const report = await importCustomers(h.core, a, file, { commit: true, partial: true });
      expect(report).toMatchObject({ created: 1, updated: 1 });
      const rows = await deliveriesOf(h, id);
      const events = rows.map(
        (r) => JSON.parse(r.payload) as { type: string; data: { customer: { name: string; note: string | null } } },
      );
      expect(events.map((e) => [e.type, e.data.customer.name])).toEqual([
        ['customer.created', '导入新建甲有限公司'],
        ['customer.updated', existing.name],
      ]);
      expect(events[1]!.data.customer.note).toBe('新备注');
    });

    it('two dispatchers on one database deliver each event exactly once', async () => {
      await subscribe(h, rx.url, 'customer.deactivated');
      const other = await startReceiver();
      try {
        await subscribe(h, other.url, 'customer.deactivated');
        const a = await admin();
        for (let i = 0; i < 6; i++) await deactivate(h.core, a, (await newCustomer(h, a)).code, { reason: '客户要求' });
        // A second instance: its own core and connection pool on the same database.
        const second = openCore(h.core.config, createLogger('silent'), h.core.now);
        try {
          const one = new WebhookDispatcher(h.core, { maxPerLane: 2 });
          const two = new WebhookDispatcher(second, { maxPerLane: 2 });
          for (let round = 0; round < 8; round++) await Promise.all([one.pass(), two.pass(), one.pass(), two.pass()]);
        } finally {
          await second.models.sequelize.close();
        }
        for (const r of [rx, other]) {
          const ids = r.received.map((q) => q.headers['x-steward-delivery']);
          expect(ids).toHaveLength(6);
          expect(new Set(ids).size).toBe(6);
        }
        // Same order at both subscribers: the order the changes were made.
        expect(other.received.map((q) => q.body)).toEqual(rx.received.map((q) => q.body).map((b) => b));
      } finally {
        await other.close();
      }
    });
  },
  WEBHOOK_ENV,
);
