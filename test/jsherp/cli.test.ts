import { spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { dropJshDatabase } from './jsh-schema.js';
import { connect, loadFixtures } from './fixtures.js';
import { newJshDatabase } from './helpers.js';

const base = process.env.TEST_DATABASE_URL;
const bin = path.resolve('cli/bin.mjs');
// Each CLI start compiles TypeScript through tsx; on a busy machine that takes seconds.
const SLOW = 180_000;

/** The CLI's data folder (made in beforeAll) and the jshERP database it connects to. */
let dir = '';
const key = () => crypto.randomBytes(32).toString('base64');
let url: string;
const keys = {
  STEWARD_DATA_KEY: key(),
  STEWARD_INDEX_KEY: key(),
  SESSION_SECRET: crypto.randomBytes(32).toString('hex'),
};
const env = (extra: Record<string, string>): Record<string, string> => ({
  PATH: process.env.PATH ?? '',
  HOME: process.env.HOME ?? '',
  DATA_DIR: dir,
  DATABASE_URL: `sqlite:${dir}/s.sqlite`,
  STEWARD_DEMO: 'false',
  LOG_LEVEL: 'error',
  ...keys,
  JSHERP_TENANT_ID: '63',
  JSHERP_DATABASE_URL: url,
  ...extra,
});
const steward = (extra: Record<string, string>, ...args: string[]) => {
  const r = spawnSync(process.execPath, [bin, 'connect', ...args], {
    env: env(extra),
    encoding: 'utf8',
    timeout: 120_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr.trim() };
};

if (!base) {
  describe('steward connect jsherp', () => {
    it.skip('needs TEST_DATABASE_URL (a MariaDB server for the jshERP database)', () => undefined);
  });
} else {
  describe('steward connect jsherp', () => {
    beforeAll(async () => {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'steward-jsherp-cli-'));
      url = await newJshDatabase(base);
      const c = await connect(url);
      await loadFixtures(c);
      await c.end();
    });
    afterAll(async () => {
      if (url) await dropJshDatabase(url);
      fs.rmSync(dir, { recursive: true, force: true });
    });

    it(
      '--check prints what it found: 客户 N, 未完成销售订单 N, 应收合计 ¥…',
      () => {
        const r = steward({}, 'jsherp', '--check');
        expect(r.code).toBe(0);
        // 6 live customers of tenant 63; open orders XSDD001/002/004; receivables 500 + 300 (the rest are 0).
        expect(r.stdout.split('\n').slice(1, 4)).toEqual(['客户 6', '未完成销售订单 3', '应收合计 ¥800.00']);
      },
      SLOW,
    );

    it(
      'an unknown tenant, an unreachable database and another ERP are one Chinese line each',
      () => {
        expect(steward({ JSHERP_TENANT_ID: '7' }, 'jsherp', '--check').stderr).toBe(
          '错误: jshERP 里没有租户 7 的客户或单据: 请检查 JSHERP_TENANT_ID (库中已有的租户: 63, 64)。',
        );
        const down = steward({ JSHERP_DATABASE_URL: 'mysql://root@127.0.0.1:1/jsh_erp' }, 'jsherp', '--check');
        expect([down.code, down.stderr]).toEqual([
          1,
          '错误: 连不上 jshERP 数据库 (127.0.0.1:1/jsh_erp): ECONNREFUSED。本系统照常工作; 请检查 jshERP 的 MySQL 是否在运行、网络和 JSHERP_DATABASE_URL。',
        ]);
        expect(steward({}, 'kingdee', '--check').stderr).toContain('暂不支持「kingdee」');
      },
      SLOW,
    );
  });
}
