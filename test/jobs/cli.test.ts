import { spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { jobActor } from '../../core/context.js';
import { openCore, prepareDatabase } from '../../core/boot.js';
import { loadConfig } from '../../core/config.js';
import { createCustomer } from '../../core/customers/create.js';
import { createOrder } from '../../core/orders.js';
import { createLogger } from '../../core/logger.js';

const bin = path.resolve('cli/bin.mjs');
const key = () => crypto.randomBytes(32).toString('base64');
/** The CLI's environment: a fresh data folder and SQLite database per block (set by setupCliDatabase). */
let dir = '';
let env: Record<string, string> = {};
const codes: string[] = [];

function steward(...args: string[]) {
  const r = spawnSync(process.execPath, [bin, ...args], { env, encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

// Each CLI start compiles TypeScript through tsx; on a busy machine that takes seconds.
const SLOW = 180_000;

/** A salesperson (WeCom cli-sales) with a customer dormant for 400 days and a new one that ordered today. */
function setupCliDatabase(): void {
  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'steward-jobs-cli-'));
    env = {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '',
      DATA_DIR: dir,
      DATABASE_URL: `sqlite:${dir}/s.sqlite`,
      STEWARD_DEMO: 'false',
      STEWARD_DATA_KEY: key(),
      STEWARD_INDEX_KEY: key(),
      SESSION_SECRET: crypto.randomBytes(32).toString('hex'),
    };
    codes.length = 0;
    const config = loadConfig({ ...env, LOG_LEVEL: 'silent' });
    const core = openCore(config, createLogger('silent'));
    await prepareDatabase(core);
    const owner = await core.models.Operator.create({
      displayName: '命令行销售',
      roles: 'sales',
      email: null,
      passwordHash: null,
      active: true,
    });
    await core.models.OperatorIdentity.create({ operatorId: owner.id, channel: 'wecom', externalId: 'cli-sales' });
    for (const [name, age] of [
      ['沉睡贸易有限公司', 400],
      ['新建商行', 10],
    ] as const) {
      const { customer } = await createCustomer(core, jobActor('test'), { name, ownerId: owner.id });
      await core.models.sequelize.query('UPDATE customers SET created_at = ? WHERE id = ?', {
        replacements: [new Date(Date.now() - age * 86400_000), customer.id],
      });
      codes.push(customer.code);
    }
    // Order data is flowing (the review flags nobody without it): the new shop ordered today.
    await createOrder(core, jobActor('test'), { customerCode: codes[1]!, total: '10.00' });
    await core.models.sequelize.close();
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
}

describe('steward review', () => {
  setupCliDatabase();

  it(
    'review --json prints the list in the documented shape',
    () => {
      const r = steward('review', '--days', '180', '--json');
      expect(r.code).toBe(0);
      expect(JSON.parse(r.stdout)).toEqual({
        days: 180,
        notice: null,
        customers: [{ code: codes[0], name: '沉睡贸易有限公司', owner: '命令行销售', lastOrderAt: null }],
      });
    },
    SLOW,
  );

  it(
    'bad input is one Chinese line and exit 2',
    () => {
      const bad = steward('review', '--days', 'abc');
      expect([bad.code, bad.stderr.trim()]).toEqual([2, '错误: --days 应为 1–3650 之间的整数, 收到「abc」。']);
      const unknown = steward('jobs', 'run', 'nope');
      expect(unknown.code).toBe(2);
      expect(unknown.stderr.trim()).toBe(
        '错误: 没有名为「nope」的任务。可用的任务: backup, inactive-review, approval-expiry, reactivate-due, recycle-purge, monthly-report, integrity-check, jsherp-sync, audit-checkpoint',
      );
    },
    SLOW,
  );
});

describe('steward jobs / check', () => {
  setupCliDatabase();

  it(
    'jobs run --dry-run reports and stores the run; jobs list shows it',
    () => {
      const r = steward('jobs', 'run', 'inactive-review', '--dry-run');
      expect(r.code).toBe(0);
      expect(r.stdout).toContain('不活跃客户审查 (inactive-review) [试运行]: 成功');
      expect(r.stdout).toContain(
        '试运行: 超过 180 天未下单的启用客户 1 个 (命令行销售 1); 将给 1 人发送审查清单, 未发送任何消息。',
      );
      const list = steward('jobs', 'list');
      expect(list.code).toBe(0);
      expect(list.stdout).toContain(
        'inactive-review  不活跃客户审查\n  计划: 0 9 * * 1 (JOB_INACTIVE_REVIEW_CRON, 时区 Asia/Shanghai)',
      );
      expect(list.stdout).toMatch(/上次: \d{4}-\d\d-\d\d \d\d:\d\d 成功 \(试运行\): 试运行: 超过 180 天/);
      expect(list.stdout).toContain('backup  每日备份\n  计划: 0 3 * * *');
    },
    SLOW,
  );

  it(
    'check passes on clean data (exit 0) and fails with the finding (exit 1)',
    async () => {
      const ok = steward('check');
      expect([ok.code, ok.stdout.split('\n')[0]]).toEqual([0, '数据完整性验证: 通过 ✅']);
      const core = openCore(loadConfig({ ...env, LOG_LEVEL: 'silent' }), createLogger('silent'));
      await core.models.SalesOrder.create({
        number: 'SO-CLI-ORPHAN',
        customerId: 424242,
        status: 'completed',
        orderDate: '2026-01-05',
        total: '9.90',
      });
      await core.models.sequelize.close();
      const bad = steward('check');
      expect(bad.code).toBe(1);
      expect(bad.stdout).toContain('数据完整性验证: 发现问题 ❌\n❌ 孤立订单 (客户不存在): 1 — SO-CLI-ORPHAN');
    },
    SLOW,
  );
});
