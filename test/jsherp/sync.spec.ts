import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type mysql from 'mysql2/promise';
import type { Actor, Core } from '../../core/context.js';
import { precheck } from '../../core/deletion/precheck.js';
import { findInactive } from '../../core/review/inactive.js';
import { eachDialect, type Harness } from '../helpers/db.js';
import { dropJshDatabase } from './jsh-schema.js';
import { connect, depot, customer, loadFixtures, TENANT, type JshIds } from './fixtures.js';
import {
  newJshDatabase,
  ourCustomers,
  recordingNotifier,
  runSync,
  withJshConfig,
  type SentMessage,
} from './helpers.js';

const base = process.env.TEST_DATABASE_URL;

let url: string;
let jsh: mysql.Connection;
let ids: JshIds;
let core: Core;
let admin: Actor;
let codes: Record<string, string>;
const sent: SentMessage[] = [];
const notifier = recordingNotifier(sent);

/** jshERP fixtures and our customers (made on 2026-06-01), before any sync; now is 2026-12-01. */
function setupBeforeSync(h: Harness, serverUrl: string): void {
  beforeAll(async () => {
    url = await newJshDatabase(serverUrl);
    jsh = await connect(url);
    ids = await loadFixtures(jsh);
    core = withJshConfig(h.core, url);
    h.setNow(new Date('2026-06-01T02:00:00Z'));
    admin = await h.actor('jsh-admin', ['admin']);
    codes = await ourCustomers(h, admin);
    h.setNow(new Date('2026-12-01T02:00:00Z'));
  });
  afterAll(async () => {
    await jsh?.end();
    if (url) await dropJshDatabase(url);
  });
}

if (!base) {
  // The jshERP side is a real MariaDB database: without one these tests cannot run, and say so.
  describe('jshERP sync', () => {
    it.skip('needs TEST_DATABASE_URL (a MariaDB server for the jshERP database)', () => undefined);
  });
} else {
  eachDialect('jshERP sync: customers and documents in', (h) => {
    // One database, in order: each step syncs on top of what the ones before brought in.
    setupBeforeSync(h, base);
    theFirstSync();
    syncsWithNothingNew(h);
    theNextSyncReadsChanges();
    syncFailures(h);
  });
}

/** Links by name and phone, candidates for a person, and the pre-check from what came in. */
function theFirstSync(): void {
  it('the first sync links by name, then by phone; ambiguous and unmatched wait for a person; a job_runs row has the counts', async () => {
    const run = await runSync(core, notifier);
    expect(run.status).toBe('succeeded');
    const detail = JSON.parse(run.detail!) as {
      full: boolean;
      customers: Record<string, number>;
      documents: Record<string, number>;
    };
    expect(detail.full).toBe(true);
    expect(detail.customers).toMatchObject({ seen: 6, linked: 4, created: 0, ambiguous: 1, unmatched: 1 });
    const links = await core.models.JsherpLink.findAll({ order: [['jshId', 'ASC']] });
    expect(links.map((l) => [Number(l.jshId), l.customerCode, l.linkedBy])).toEqual([
      [ids.huadong, codes.huadong, 'name'],
      [ids.nanfang, codes.nanfang, 'phone'],
      [ids.kongbai, codes.kongbai, 'name'],
      [ids.wanjie, codes.wanjie, 'name'],
    ]);
    const waiting = await core.models.JsherpCandidate.findAll({ order: [['jshId', 'ASC']] });
    expect(waiting.map((c) => [Number(c.jshId), c.kind])).toEqual([
      [ids.beifang, 'ambiguous'],
      [ids.xibu, 'unmatched'],
    ]);
    expect(
      JSON.parse(waiting[0]!.matches!)
        .map((m: { code: string }) => m.code)
        .sort(),
    ).toEqual([codes.beifang1, codes.beifang2].sort());
    // The other tenant's namesake is never linked.
    expect(links.some((l) => Number(l.jshId) === ids.other)).toBe(false);
    expect(run.summary).toContain('全量核对');
  });

  it("the delete pre-check shows jshERP's open orders and receivable with the right amounts", async () => {
    const r = await precheck(core, admin, codes.huadong!);
    const orders = r.blockers.find((b) => b.kind === 'openOrders')!;
    expect(orders.numbers).toEqual(['XSDD001', 'XSDD002', 'XSDD004']);
    expect(orders.text).toBe('未完成订单 3 张 (XSDD001、XSDD002、XSDD004), 合计 ¥950.00');
    expect(r.blockers.find((b) => b.kind === 'unpaidReceivables')!.text).toBe('未收款 1 笔, 未收金额 ¥500.00');
    const nanfang = await precheck(core, admin, codes.nanfang!);
    expect(nanfang.blockers.map((b) => b.text)).toEqual(['未收款 1 笔, 未收金额 ¥300.00']);
    expect((await precheck(core, admin, codes.kongbai!)).blockers).toEqual([]);
    expect((await precheck(core, admin, codes.wanjie!)).blockers).toEqual([]);
    // Nothing of the other tenant arrived.
    expect(await core.models.SalesOrder.count({ where: { number: 'XSDD900' } })).toBe(0);
  });
}

/** A second sync writes nothing; the review uses jshERP's order dates. */
function syncsWithNothingNew(h: Harness): void {
  it('a second sync is a no-op: nothing written, no ledger event', async () => {
    const events = await core.models.LedgerEvent.count();
    const audit = await core.models.AuditEvent.count();
    const run = await runSync(core, notifier);
    expect(run.status).toBe('succeeded');
    const detail = JSON.parse(run.detail!) as {
      full: boolean;
      documents: Record<string, number>;
      customers: Record<string, number>;
    };
    expect(detail.full).toBe(false);
    expect(detail.documents).toMatchObject({ sent: 0, created: 0, updated: 0 });
    expect(await core.models.LedgerEvent.count()).toBe(events);
    expect(await core.models.AuditEvent.count()).toBe(audit);
    // A forced full reconcile changes nothing either.
    await core.models.JsherpState.update({ lastFullAt: null }, { where: { tenantId: TENANT } });
    const full = await runSync(core, notifier);
    expect(JSON.parse(full.detail!).full).toBe(true);
    expect(JSON.parse(full.detail!).documents).toMatchObject({ sent: 0 });
    expect(await core.models.LedgerEvent.count()).toBe(events);
  });

  it("the review uses jshERP's order dates (lastOrderAt from 销售 and 销售订单)", async () => {
    const c = await core.models.Customer.findOne({ where: { code: codes.huadong } });
    expect(c!.lastOrderAt!.toISOString().slice(0, 10)).toBe('2026-11-20');
    const w = await core.models.Customer.findOne({ where: { code: codes.wanjie } });
    expect(w!.lastOrderAt!.toISOString().slice(0, 10)).toBe('2026-08-02');
    // Created long ago, so the review's "too new to judge" rule does not hide them.
    await core.models.sequelize.query('UPDATE customers SET created_at = ?', {
      replacements: [new Date('2026-01-01T00:00:00Z')],
    });
    h.setNow(new Date('2026-12-10T02:00:00Z'));
    try {
      // Since 2026-08-12: 南方物流's only business is a 销售 shipment on 2026-09-01 (no order of ours);
      // 完结客户's last was on 2026-08-02. Without jshERP's dates both would be 「从未下单」.
      const review = await findInactive(core, admin, { days: 120 });
      expect(review.notice).toBeNull();
      const listed = review.customers.map((x) => x.code);
      expect(listed).toContain(codes.wanjie);
      expect(listed).not.toContain(codes.nanfang);
      expect(listed).not.toContain(codes.huadong);
      expect(listed).toContain(codes.kongbai);
    } finally {
      h.setNow(new Date('2026-12-01T02:00:00Z'));
    }
  });
}

/** An order completes, a shipment and a new jshERP customer arrive. */
function theNextSyncReadsChanges(): void {
  it('the next sync reads what changed: a completed order closes, a new shipment raises the receivable, a new jshERP customer gets our code', async () => {
    const events = await core.models.LedgerEvent.count();
    await jsh.query("UPDATE jsh_depot_head SET status = '2' WHERE number = 'XSDD001' AND tenant_id = ?", [TENANT]);
    await depot(jsh, TENANT, ids.huadong, '销售', {
      number: 'XSCK003',
      discount_last_money: 120,
      total_price: 120,
      link_number: 'XSDD001',
      oper_time: '2026-11-30 16:00:00',
    });
    const fresh = await customer(jsh, TENANT, '新开户客户', { telephone: '13600000009' });
    await depot(jsh, TENANT, fresh, '销售订单', {
      number: 'XSDD301',
      status: '0',
      total_price: 66,
      discount_last_money: 66,
      oper_time: '2026-11-30 17:00:00',
    });
    const run = await runSync(core, notifier);
    const detail = JSON.parse(run.detail!) as {
      full: boolean;
      customers: Record<string, number>;
      documents: Record<string, number>;
    };
    expect(detail.full).toBe(false);
    expect(detail.customers).toMatchObject({ created: 1 });
    const link = await core.models.JsherpLink.findOne({ where: { jshId: fresh } });
    expect(link!.linkedBy).toBe('created');
    expect(link!.customerCode).toMatch(/^C2026\d{4}$/);
    const created = await core.models.AuditEvent.findOne({
      where: { action: 'customer.create', customerCode: link!.customerCode },
    });
    expect(created!.door).toBe('job');
    const r = await precheck(core, admin, codes.huadong!);
    expect(r.blockers.map((b) => b.text)).toEqual([
      '未完成订单 2 张 (XSDD002、XSDD004), 合计 ¥450.00',
      '未收款 1 笔, 未收金额 ¥620.00',
    ]);
    expect((await precheck(core, admin, link!.customerCode)).blockers[0]!.text).toBe(
      '未完成订单 1 张 (XSDD301), 合计 ¥66.00',
    );
    expect(await core.models.LedgerEvent.count()).toBe(events + 3);
  });
}

/** An unreachable database, one that is not jshERP's, and a wrong tenant. */
function syncFailures(h: Harness): void {
  it('an unreachable jshERP fails the sync with a Chinese message to the admins; our side keeps working', async () => {
    sent.length = 0;
    const down = withJshConfig(h.core, 'mysql://root@127.0.0.1:1/jsh_erp');
    const run = await runSync(down, notifier);
    expect(run.status).toBe('failed');
    expect(run.summary).toContain('连不上 jshERP 数据库 (127.0.0.1:1/jsh_erp)');
    expect(sent.some((m) => m.title === '定时任务失败: jshERP 同步' && m.text.includes('连不上 jshERP'))).toBe(true);
    expect((await precheck(core, admin, codes.huadong!)).blockers).toHaveLength(2);
  });

  it("a database that is not jshERP's, or a wrong tenant, is named in the message", async () => {
    const bad = withJshConfig(h.core, url);
    await jsh.query('ALTER TABLE jsh_account_item CHANGE each_amount each_amt DECIMAL(24,6)');
    try {
      const run = await runSync(bad, notifier);
      expect(run.status).toBe('failed');
      expect(run.summary).toContain('jshERP 数据库结构不符');
      expect(run.summary).toContain('jsh_account_item.each_amount');
    } finally {
      await jsh.query('ALTER TABLE jsh_account_item CHANGE each_amt each_amount DECIMAL(24,6)');
    }
    const wrong = withJshConfig(h.core, url, { JSHERP_TENANT_ID: 99 });
    const run = await runSync(wrong, notifier);
    expect(run.summary).toContain('jshERP 里没有租户 99 的客户或单据');
    expect(run.summary).toContain('63, 64');
  });
}
