import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { registerConnect } from '../../cli/commands/connect.js';
import { eachDialect, withEnv } from '../helpers/db.js';
import { runSteward } from '../helpers/steward-cli.js';
import { dropJshDatabase } from './jsh-schema.js';
import { connect, loadFixtures } from './fixtures.js';
import { newJshDatabase } from './helpers.js';

const base = process.env.TEST_DATABASE_URL;

if (!base) {
  describe('steward connect jsherp', () => {
    it.skip('needs TEST_DATABASE_URL (a MariaDB server for the jshERP database)', () => undefined);
  });
} else {
  eachDialect('steward connect jsherp (in process, on the test database)', { JSHERP_TENANT_ID: '63' }, (h) => {
    /** The jshERP database the CLI connects to (made in beforeAll). */
    let url: string;
    beforeAll(async () => {
      url = await newJshDatabase(base);
      const c = await connect(url);
      await loadFixtures(c);
      await c.end();
    });
    afterAll(async () => {
      if (url) await dropJshDatabase(url);
    });

    /** `steward connect …` with JSHERP_DATABASE_URL (and any `extra` variables) set. */
    const steward = async (extra: Record<string, string>, ...args: string[]) => {
      const r = await runSteward(registerConnect, withEnv(h.core, { JSHERP_DATABASE_URL: url, ...extra }), [
        'connect',
        ...args,
      ]);
      return { ...r, err: r.err.trim() };
    };

    it('--check prints what it found: 客户 N, 未完成销售订单 N, 应收合计 ¥…', async () => {
      const r = await steward({}, 'jsherp', '--check');
      expect(r.code).toBe(0);
      // 6 live customers of tenant 63; open orders XSDD001/002/004; receivables 500 + 300 (the rest are 0).
      expect(r.out.split('\n').slice(1, 4)).toEqual(['客户 6', '未完成销售订单 3', '应收合计 ¥800.00']);
    });

    it('an unknown tenant, an unreachable database and another ERP are one Chinese line each', async () => {
      expect((await steward({ JSHERP_TENANT_ID: '7' }, 'jsherp', '--check')).err).toBe(
        '错误: jshERP 里没有租户 7 的客户或单据: 请检查 JSHERP_TENANT_ID (库中已有的租户: 63, 64)。',
      );
      const down = await steward({ JSHERP_DATABASE_URL: 'mysql://root@127.0.0.1:1/jsh_erp' }, 'jsherp', '--check');
      expect([down.code, down.err]).toEqual([
        1,
        '错误: 连不上 jshERP 数据库 (127.0.0.1:1/jsh_erp): ECONNREFUSED。本系统照常工作; 请检查 jshERP 的 MySQL 是否在运行、网络和 JSHERP_DATABASE_URL。',
      ]);
      expect((await steward({}, 'kingdee', '--check')).err).toContain('暂不支持「kingdee」');
    });
  });
}
