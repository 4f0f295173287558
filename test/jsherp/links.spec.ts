import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type mysql from 'mysql2/promise';
import type { Actor, Core } from '../../core/context.js';
import { deactivate } from '../../core/customers/status.js';
import { precheck } from '../../core/deletion/precheck.js';
import { decideLink, importUnmatched, openJshDb, type JshDb } from '../../core/ledger/jsherp/index.js';
import { eachDialect, type Harness } from '../helpers/db.js';
import { dropJshDatabase } from './jsh-schema.js';
import { connect, depot, loadFixtures, TENANT, type JshIds } from './fixtures.js';
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
let codes: Record<string, string>;
const sent: SentMessage[] = [];
const notifier = recordingNotifier(sent);

/** jshERP fixtures, our customers, and one sync done, on 2026-12-01; each block gets its own databases. */
function setupSynced(h: Harness, serverUrl: string): void {
  beforeAll(async () => {
    url = await newJshDatabase(serverUrl);
    jsh = await connect(url);
    ids = await loadFixtures(jsh);
    core = withJshConfig(h.core, url);
    db = openJshDb(url, TENANT);
    h.setNow(new Date('2026-12-01T02:00:00Z'));
    admin = await h.actor('links-admin', ['admin']);
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
  describe('jshERP links decided by a person', () => {
    it.skip('needs TEST_DATABASE_URL (a MariaDB server for the jshERP database)', () => undefined);
  });
} else {
  eachDialect('jshERP links decided by a person', (h) => {
    setupSynced(h, base);

    it('an ambiguous match is linked only when a person says which; the decision is audited and refused twice', async () => {
      const r = await decideLink(core, admin, db, codes.beifang2!, ids.beifang);
      expect(r).toEqual({ code: codes.beifang2, jshId: ids.beifang, jshName: '北方建材' });
      expect(await core.models.JsherpCandidate.count({ where: { jshId: ids.beifang } })).toBe(0);
      expect(
        await core.models.AuditEvent.count({ where: { action: 'jsherp.link', customerCode: codes.beifang2 } }),
      ).toBe(1);
      // Its documents come in with the next sync (a full reconcile).
      await runSync(core, notifier);
      expect(await core.models.JsherpState.count({ where: { tenantId: TENANT, lastFullAt: h.core.now() } })).toBe(1);
      await expect(decideLink(core, admin, db, codes.beifang1!, ids.beifang)).rejects.toThrow(
        `jshERP 客户 #${ids.beifang}「北方建材」已关联客户 ${codes.beifang2}。`,
      );
      await expect(decideLink(core, admin, db, codes.beifang2!, ids.xibu)).rejects.toThrow(
        `客户 ${codes.beifang2} 已关联 jshERP 客户 #${ids.beifang}`,
      );
      await expect(decideLink(core, admin, db, codes.alone!, ids.other)).rejects.toThrow(
        `jshERP 租户 ${TENANT} 中没有 id 为 ${ids.other} 的客户`,
      );
    });

    it('unmatched jshERP customers are offered as a dry-run import; --commit creates them with our codes and links them', async () => {
      const dry = await importUnmatched(core, admin, db, { commit: false });
      expect([dry.report.dryRun, dry.report.created, dry.linked, dry.candidates]).toEqual([true, 1, 0, 1]);
      expect(await core.models.Customer.count({ where: { name: '西部新客户' } })).toBe(0);
      const done = await importUnmatched(core, admin, db, { commit: true });
      expect([done.report.committed, done.report.created, done.linked]).toEqual([true, 1, 1]);
      const link = await core.models.JsherpLink.findOne({ where: { jshId: ids.xibu } });
      const created = await core.models.Customer.findOne({ where: { name: '西部新客户' } });
      expect(link!.customerCode).toBe(created!.code);
      expect(created!.contact).toBe('王五');
      expect(await core.models.JsherpCandidate.count()).toBe(0);
    });
  });

  eachDialect('jshERP: the 停用 rule on synced orders', (h) => {
    setupSynced(h, base);

    it('a new jshERP order for a 停用 customer is recorded (the delete check lists it) and reported to the admins', async () => {
      await deactivate(core, admin, codes.kongbai!, { reason: '客户要求' });
      await depot(jsh, TENANT, ids.kongbai, '销售订单', {
        number: 'XSDD401',
        status: '0',
        total_price: 88,
        discount_last_money: 88,
        oper_time: '2026-11-30 12:00:00',
      });
      sent.length = 0;
      const run = await runSync(core, notifier);
      expect(run.summary).toContain(`1 张属于停用客户 (XSDD401/${codes.kongbai})`);
      const alert = sent.find((m) => m.title === 'jshERP 同步: 停用客户有新订单');
      expect(alert!.text).toContain('已记入本系统 (删除前检查会列出)');
      expect(alert!.text).toContain(
        `XSDD401 (客户 ${codes.kongbai}): 客户 ${codes.kongbai} 空白客户 已于 2026-12-01 停用`,
      );
      // The order is real business in the system of record: a delete must not pass while it is open.
      expect((await precheck(core, admin, codes.kongbai!)).blockers.map((b) => b.text)).toEqual([
        '未完成订单 1 张 (XSDD401), 合计 ¥88.00',
      ]);
      // Nothing new on the next sync: no second alert.
      sent.length = 0;
      await runSync(core, notifier);
      expect(sent.find((m) => m.title === 'jshERP 同步: 停用客户有新订单')).toBeUndefined();
    });
  });
}
