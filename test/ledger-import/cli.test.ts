import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeAll, expect, it, jest } from '@jest/globals';
import { Command } from 'commander';
import { registerLedgerCommands } from '../../cli/commands/ledger.js';
import { readBack } from '../data/fixtures.js';
import { eachDialect, type Harness } from '../helpers/db.js';
import { customers, fileIn, ORDER_HEADERS, tempDir, writeCsv } from './fixtures.js';

const dir = tempDir('steward-ledger-cli-');

/** Runs `steward …` in this process against the harness database; returns exit code and output. */
async function steward(env: Record<string, string>, ...args: string[]) {
  const saved = { ...process.env };
  Object.assign(process.env, env);
  let stdout = '';
  let stderr = '';
  const out = jest.spyOn(process.stdout, 'write').mockImplementation((s) => ((stdout += String(s)), true));
  const err = jest.spyOn(process.stderr, 'write').mockImplementation((s) => ((stderr += String(s)), true));
  try {
    const program = new Command('steward').exitOverride();
    registerLedgerCommands(program);
    await program.parseAsync(['node', 'steward', ...args]);
    return { code: process.exitCode ?? 0, stdout, stderr };
  } finally {
    out.mockRestore();
    err.mockRestore();
    process.env = saved;
    process.exitCode = undefined;
  }
}

let env: Record<string, string>;
let codes: string[];

/** The environment the CLI reads to reach the harness database, and two customers. */
function setupCliEnv(h: Harness): void {
  beforeAll(async () => {
    const c = h.core.config;
    env = {
      DATABASE_URL: c.DATABASE_URL,
      DATA_DIR: c.DATA_DIR,
      STEWARD_DATA_KEY: c.STEWARD_DATA_KEY!,
      STEWARD_INDEX_KEY: c.STEWARD_INDEX_KEY!,
      SESSION_SECRET: c.SESSION_SECRET!,
      STEWARD_DEMO: 'false',
      LOG_LEVEL: 'silent',
      NODE_ENV: 'test',
      STEWARD_OPERATOR: 'ledger-cli@test.local',
    };
    const admin = await h.actor('ledger-cli', ['admin']);
    codes = await customers(h.core, admin, ['命令行客户甲', '命令行客户乙']);
  });
  afterEach(() => {
    process.exitCode = undefined;
  });
}

eachDialect('steward ledger import (in-process CLI)', (h) => {
  setupCliEnv(h);

  it('dry run by default with row errors and an error workbook, exit 1; --commit --partial writes and prints the batch; undo', async () => {
    const file = writeCsv(
      fileIn(dir, '订单.csv'),
      [
        ORDER_HEADERS,
        ['CLI-1', codes[0]!, '2026/1/5', '10', '未完成'],
        ['CLI-2', 'NOPE-404', '2026/1/5', '10', '未完成'],
      ],
      'gbk',
    );
    const errorsOut = path.join(dir, '错误.xlsx');
    const dry = await steward(env, 'ledger', 'import', file, '--errors-out', errorsOut);
    expect(dry.code).toBe(1);
    expect(dry.stdout).toContain('[试运行, 未写入]');
    expect(dry.stdout).toContain('将新增 1, 将更新 0, 不变 0, 跳过 0 (标题/合计行), 错误 1');
    expect(dry.stdout).toMatch(/✗ 第 3 行 客户编码: .*NOPE-404/);
    expect(await h.core.models.SalesOrder.count()).toBe(0);
    const workbook = await readBack(errorsOut);
    expect(workbook[0]).toEqual([...ORDER_HEADERS, '错误原因', '原行号']);
    expect(workbook[1]!.slice(0, 2)).toEqual(['CLI-2', 'NOPE-404']);
    expect(workbook[1]![5]).toMatch(/^客户编码: /);

    const all = await steward(env, 'ledger', 'import', file, '--commit');
    expect([all.code, await h.core.models.SalesOrder.count()]).toEqual([1, 0]);
    expect(all.stdout).toContain('有错误, 没有写入任何单据。');

    const ok = await steward(env, 'ledger', 'import', file, '--commit', '--partial', '--json');
    expect(ok.code).toBe(0);
    const summary = JSON.parse(ok.stdout) as { batchId: string; created: number; committed: boolean; type: string };
    expect(summary).toMatchObject({ type: 'orders', committed: true, created: 1 });
    expect(await h.core.models.ImportBatch.findByPk(Number(summary.batchId))).toMatchObject({
      kind: 'orders',
      operatorName: 'ledger-cli',
      door: 'cli',
    });

    const undo = await steward(env, 'ledger', 'import', 'undo', summary.batchId);
    expect(undo.stdout.trim()).toMatch(
      new RegExp(
        `^已撤销导入批次 #${summary.batchId} \\(.*订单\\.csv\\): 删除了导入新增的 1 张订单, 0 张恢复为导入前的状态。$`,
      ),
    );
    expect(await h.core.models.SalesOrder.count()).toBe(0);
    const again = await steward(env, 'ledger', 'import', 'undo', summary.batchId);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('撤销过, 无需再撤销');
  });

  it('bad usage is exit 2 with one Chinese line', async () => {
    const r = await steward(env, 'ledger', 'import', 'x.csv', '--type', 'invoices');
    expect([r.code, r.stderr.trim()]).toEqual([
      2,
      '错误: --type 只能是 orders (订单) 或 receivables (应收款), 不是「invoices」。',
    ]);
    const missing = await steward(env, 'ledger', 'import', path.join(dir, 'nope.xlsx'));
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('打不开文件「nope.xlsx」');
  });
});

it('steward (the real binary) has the ledger command', () => {
  const r = spawnSync(process.execPath, [path.resolve('cli/bin.mjs'), 'ledger', 'import'], {
    encoding: 'utf8',
    timeout: 120_000,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, DATA_DIR: dir, DATABASE_URL: `sqlite:${dir}/bin.sqlite` },
  });
  expect([r.status, r.stderr.trim()]).toEqual([
    2,
    '错误: 请给出要导入的文件, 例如: steward ledger import 订单.xlsx (用 --help 查看更多)',
  ]);
  expect(fs.existsSync(path.join(dir, 'bin.sqlite'))).toBe(false);
}, 120_000);
