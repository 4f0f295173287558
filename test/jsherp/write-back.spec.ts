import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type mysql from 'mysql2/promise';
import { jobActor, type Actor, type Core } from '../../core/context.js';
import { deactivate, reactivate } from '../../core/customers/status.js';
import { approve } from '../../core/deletion/approvals.js';
import { requestDeletion } from '../../core/deletion/request.js';
import { restoreCustomer } from '../../core/deletion/recycle.js';
import { applyWriteBacks, openJshDb, type JshDb } from '../../core/ledger/jsherp/index.js';
import { blockedDeleteNotice } from '../../jobs/jsherp-sync.js';
import { startJsherpWriteBack } from '../../jobs/jsherp-write-back.js';
import { eachDialect, type Harness } from '../helpers/db.js';
import { dropJshDatabase } from './jsh-schema.js';
import { connect, customer, loadFixtures, OTHER_TENANT, TENANT, type JshIds } from './fixtures.js';
import { createCustomer } from '../../core/customers/create.js';
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
let db: JshDb;
let ids: JshIds;
let core: Core;
let admin: Actor;
let approver: Actor;
let codes: Record<string, string>;
const sent: SentMessage[] = [];
const notifier = recordingNotifier(sent);
const worker = { ...jobActor('jsherp-write-back') };

const row = async (id: number) =>
  ((await jsh.query('SELECT * FROM jsh_supplier WHERE id = ?', [id]))[0] as Record<string, unknown>[])[0]!;
const tenantRows = async (tenant: number) =>
  (await jsh.query('SELECT * FROM jsh_supplier WHERE tenant_id = ? ORDER BY id', [tenant]))[0];
const logs = async () =>
  (
    await jsh.query('SELECT user_id, operation, client_ip, status, content, tenant_id FROM jsh_log ORDER BY id')
  )[0] as Record<string, unknown>[];
const bit = (v: unknown) => (Buffer.isBuffer(v) ? v[0] : v);
/** The columns that differ between two versions of a row. */
const changed = (a: Record<string, unknown>, b: Record<string, unknown>) =>
  Object.keys(a).filter((k) => JSON.stringify(a[k]) !== JSON.stringify(b[k]));

/** jshERP fixtures, our customers and one sync done, on 2026-12-01; each block gets its own databases. */
function setupLinked(h: Harness, serverUrl: string): void {
  beforeAll(async () => {
    url = await newJshDatabase(serverUrl);
    jsh = await connect(url);
    ids = await loadFixtures(jsh);
    core = withJshConfig(h.core, url);
    db = openJshDb(url, TENANT);
    h.setNow(new Date('2026-12-01T02:00:00Z'));
    admin = await h.actor('wb-admin', ['admin']);
    approver = await h.actor('wb-approver', ['approver']);
    codes = await ourCustomers(h, admin);
    await runSync(core, notifier);
  });
  afterAll(async () => {
    await db?.close();
    await jsh?.end();
    if (url) await dropJshDatabase(url);
  });
}

if (!base) {
  describe('jshERP write-back', () => {
    it.skip('needs TEST_DATABASE_URL (a MariaDB server for the jshERP database)', () => undefined);
  });
} else {
  eachDialect('jshERP write-back: 停用 and 启用 reach jsh_supplier', (h) => {
    setupLinked(h, base);

    it('停用 sets enabled=0 on the linked row and nothing else, logs it in jsh_log, audits it; 启用 sets it back; the other tenant is untouched', async () => {
      const before = await row(ids.huadong);
      const other = await tenantRows(OTHER_TENANT);
      await deactivate(core, admin, codes.huadong!, { reason: '客户要求' });
      const queued = await core.models.JsherpWrite.findAll({ where: { customerCode: codes.huadong } });
      expect(queued.map((w) => [w.action, w.status])).toEqual([['disable', 'pending']]);
      expect(await applyWriteBacks(core, worker, db)).toMatchObject({ applied: 1, failed: 0 });
      const after = await row(ids.huadong);
      expect(changed(before, after)).toEqual(['enabled']);
      expect(bit(after.enabled)).toBe(0);
      expect(await logs()).toEqual([
        {
          user_id: TENANT,
          operation: '商家',
          client_ip: 'customer-steward',
          status: 0,
          content: '更新状态[华东贸易有限公司]',
          tenant_id: TENANT,
        },
      ]);
      const audit = await core.models.AuditEvent.findOne({
        where: { action: 'jsherp.write-back', customerCode: codes.huadong },
      });
      expect(JSON.parse(audit!.diff).info).toMatchObject({
        write: 'disable',
        jshId: ids.huadong,
        columns: { enabled: 0 },
      });
      await reactivate(core, admin, codes.huadong!);
      await applyWriteBacks(core, worker, db);
      expect(changed(before, await row(ids.huadong))).toEqual([]);
      expect(await tenantRows(OTHER_TENANT)).toEqual(other);
      // A second round finds nothing to do.
      expect(await applyWriteBacks(core, worker, db)).toMatchObject({ applied: 0 });
    });

    it('while the server runs, a 停用 reaches jshERP within seconds', async () => {
      const stop = startJsherpWriteBack(core, notifier, 50);
      try {
        await deactivate(core, admin, codes.kongbai!, { reason: '客户要求' });
        const deadline = Date.now() + 5_000;
        while (bit((await row(ids.kongbai)).enabled) !== 0 && Date.now() < deadline)
          await new Promise((r) => setTimeout(r, 50));
        expect(bit((await row(ids.kongbai)).enabled)).toBe(0);
      } finally {
        await stop();
      }
    });
  });

  eachDialect('jshERP write-back: a refused 停用, jshERP down, a delete and 恢复', (h) => {
    setupLinked(h, base);

    it('a refused 停用 (rolled back) queues nothing; while jshERP is down the write waits and is applied once it is back', async () => {
      await deactivate(core, admin, codes.nanfang!, { reason: '信用风险' });
      await expect(deactivate(core, admin, codes.nanfang!, { reason: '信用风险' })).rejects.toThrow('已经是停用状态');
      expect(await core.models.JsherpWrite.count({ where: { customerCode: codes.nanfang } })).toBe(1);
      const down = openJshDb('mysql://root@127.0.0.1:1/jsh_erp', TENANT);
      try {
        const r = await applyWriteBacks(core, worker, down);
        expect(r.failed).toBe(1);
        expect(r.error).toContain('连不上 jshERP 数据库');
      } finally {
        await down.close();
      }
      const waiting = await core.models.JsherpWrite.findOne({ where: { customerCode: codes.nanfang } });
      expect([waiting!.status, waiting!.attempts]).toEqual(['pending', 1]);
      expect(bit((await row(ids.nanfang)).enabled)).toBe(1);
      h.setNow(new Date('2026-12-01T02:01:00Z'));
      await applyWriteBacks(core, worker, db);
      expect(bit((await row(ids.nanfang)).enabled)).toBe(0);
      expect((await core.models.JsherpWrite.findOne({ where: { customerCode: codes.nanfang } }))!.status).toBe('done');
    });

    it("an approved delete sets delete_flag=1 when jshERP's rule allows (no documents); 恢复 undoes it", async () => {
      const before = await row(ids.kongbai);
      const request = await requestDeletion(core, admin, codes.kongbai!, '重复录入');
      await approve(core, approver, request.id);
      await applyWriteBacks(core, worker, db, blockedDeleteNotice(core, notifier));
      const after = await row(ids.kongbai);
      expect(changed(before, after)).toEqual(['delete_flag']);
      expect(after.delete_flag).toBe('1');
      expect((await logs()).at(-1)).toMatchObject({ operation: '商家', content: '删除[空白客户]' });
      await restoreCustomer(core, admin, codes.kongbai!);
      await applyWriteBacks(core, worker, db);
      expect(changed(before, await row(ids.kongbai))).toEqual([]);
    });
  });

  eachDialect('jshERP write-back: a delete jshERP refuses, and a customer linked after 停用', (h) => {
    setupLinked(h, base);

    it('when jshERP still has documents the delete only disables, and the approver and requester are told why', async () => {
      sent.length = 0;
      const before = await row(ids.wanjie);
      const request = await requestDeletion(core, admin, codes.wanjie!, '不再合作');
      await approve(core, approver, request.id);
      await applyWriteBacks(core, worker, db, blockedDeleteNotice(core, notifier));
      const after = await row(ids.wanjie);
      expect(changed(before, after)).toEqual(['enabled']);
      expect([bit(after.enabled), after.delete_flag]).toEqual([0, '0']);
      const told = sent.filter((m) => m.title === 'jshERP 未删除该客户');
      expect(told.map((m) => m.to).sort()).toEqual([admin.operator.id, approver.operator.id].sort());
      expect(told[0]!.text).toContain(
        `客户 ${codes.wanjie} 已在本系统删除 (审批单 #${request.id}), 但 jshERP 中还有 2 张单据或收付款单引用客户「完结客户」`,
      );
      expect(told[0]!.text).toContain('已改为禁用 (enabled=0)');
      await restoreCustomer(core, admin, codes.wanjie!);
      await applyWriteBacks(core, worker, db);
      expect(changed(before, await row(ids.wanjie))).toEqual([]);
    });

    it('a customer already 停用 here when it gets linked is disabled in jshERP too', async () => {
      const { customer: ours } = await createCustomer(
        core,
        admin,
        { name: '先停用后关联商行' },
        { allowDuplicates: true },
      );
      await deactivate(core, admin, ours.code, { reason: '长期无交易' });
      const jshId = await customer(jsh, TENANT, '先停用后关联商行');
      await runSync(core, notifier);
      expect(Number((await core.models.JsherpLink.findOne({ where: { customerId: ours.id } }))?.jshId)).toBe(jshId);
      expect((await core.models.JsherpWrite.findAll({ where: { customerId: ours.id } })).map((w) => w.action)).toEqual([
        'disable',
      ]);
      await applyWriteBacks(core, worker, db);
      expect(bit((await row(jshId)).enabled)).toBe(0);
    });
  });
}
