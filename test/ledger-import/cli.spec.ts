import path from 'node:path';
import { beforeAll, expect, it } from '@jest/globals';
import { registerLedgerCommands } from '../../cli/commands/ledger.js';
import { readBack } from '../data/fixtures.js';
import { eachDialect, type Harness } from '../helpers/db.js';
import { runProgram, runSteward } from '../helpers/steward-cli.js';
import { customers, fileIn, ORDER_HEADERS, tempDir, writeCsv } from './fixtures.js';

const dir = tempDir('steward-ledger-cli-');

let codes: string[];

/** Two customers, made by the operator the CLI acts as (STEWARD_OPERATOR). */
function setupCustomers(h: Harness): void {
  beforeAll(async () => {
    const admin = await h.actor('ledger-cli', ['admin']);
    codes = await customers(h.core, admin, ['命令行客户甲', '命令行客户乙']);
  });
}

eachDialect('steward ledger import (in-process CLI)', { STEWARD_OPERATOR: 'ledger-cli@test.local' }, (h) => {
  setupCustomers(h);
  const steward = (...argv: string[]) => runSteward(registerLedgerCommands, h.core, argv);

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
    const dry = await steward('ledger', 'import', file, '--errors-out', errorsOut);
    expect(dry.code).toBe(1);
    expect(dry.out).toContain('[试运行, 未写入]');
    expect(dry.out).toContain('将新增 1, 将更新 0, 不变 0, 跳过 0 (标题/合计行), 错误 1');
    expect(dry.out).toMatch(/✗ 第 3 行 客户编码: .*NOPE-404/);
    expect(await h.core.models.SalesOrder.count()).toBe(0);
    const workbook = await readBack(errorsOut);
    expect(workbook[0]).toEqual([...ORDER_HEADERS, '错误原因', '原行号']);
    expect(workbook[1]!.slice(0, 2)).toEqual(['CLI-2', 'NOPE-404']);
    expect(workbook[1]![5]).toMatch(/^客户编码: /);

    const all = await steward('ledger', 'import', file, '--commit');
    expect([all.code, await h.core.models.SalesOrder.count()]).toEqual([1, 0]);
    expect(all.out).toContain('有错误, 没有写入任何单据。');

    const ok = await steward('ledger', 'import', file, '--commit', '--partial', '--json');
    expect(ok.code).toBe(0);
    const summary = JSON.parse(ok.out) as { batchId: string; created: number; committed: boolean; type: string };
    expect(summary).toMatchObject({ type: 'orders', committed: true, created: 1 });
    expect(await h.core.models.ImportBatch.findByPk(Number(summary.batchId))).toMatchObject({
      kind: 'orders',
      operatorName: 'ledger-cli',
      door: 'cli',
    });

    const undo = await steward('ledger', 'import', 'undo', summary.batchId);
    expect(undo.out.trim()).toMatch(
      new RegExp(
        `^已撤销导入批次 #${summary.batchId} \\(.*订单\\.csv\\): 删除了导入新增的 1 张订单, 0 张恢复为导入前的状态。$`,
      ),
    );
    expect(await h.core.models.SalesOrder.count()).toBe(0);
    const again = await steward('ledger', 'import', 'undo', summary.batchId);
    expect(again.code).toBe(1);
    expect(again.err).toContain('撤销过, 无需再撤销');
  });

  it('bad usage is exit 2 with one Chinese line', async () => {
    const r = await steward('ledger', 'import', 'x.csv', '--type', 'invoices');
    expect([r.code, r.err.trim()]).toEqual([
      2,
      '错误: --type 只能是 orders (订单) 或 receivables (应收款), 不是「invoices」。',
    ]);
    const missing = await steward('ledger', 'import', path.join(dir, 'nope.xlsx'));
    expect(missing.code).toBe(1);
    expect(missing.err).toContain('打不开文件「nope.xlsx」');
  });
});

it('steward (the program cli/main.ts builds) has the ledger command, and bad usage opens no database', async () => {
  const never = {} as Parameters<typeof runProgram>[0];
  const r = await runProgram(never, ['ledger', 'import']);
  expect([r.code, r.err.trim(), r.opened]).toEqual([
    2,
    '错误: 请给出要导入的文件, 例如: steward ledger import 订单.xlsx (用 --help 查看更多)',
    0,
  ]);
});
