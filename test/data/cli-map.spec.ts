import path from 'node:path';
import { expect, it } from '@jest/globals';
import { registerDataCommands } from '../../cli/commands/data.js';
import { eachDialect } from '../helpers/db.js';
import { runSteward } from '../helpers/steward-cli.js';
import { tempDir, writeCsv } from './fixtures.js';
import { jshExport, jshRow } from './xls-fixtures.js';

eachDialect('steward import: .xls and --map-column from the command line (in process, on the test database)', (h) => {
  const steward = (...argv: string[]) => runSteward(registerDataCommands, h.core, argv);

  it('dry-runs a jshERP .xls, naming the skipped tip row; --map-column is remembered on --commit', async () => {
    const dir = tempDir();
    const xls = jshExport(path.join(dir, '信息内容.xls'), [
      jshRow('命令行甲有限公司', { mobile: 13000000061, status: 0 }),
    ]);
    const dry = await steward('import', xls);
    expect(dry.code).toBe(0);
    expect(dry.out).toContain('[试运行, 未写入] 信息内容.xls (旧版 Excel .xls, 工作表「信息内容」)');
    expect(dry.out).toContain('  · 已跳过表头上方的提示行: 第 1 行 「*导入时本行内容请勿删除，切记！」');
    expect(dry.out).toContain('将新建 1,');

    const rows = (n: number) => [
      ['单位全称', '手机'],
      [`命令行映射${n}`, `1380000007${n}`],
    ];
    const bad = await steward(
      'import',
      writeCsv(path.join(dir, '往来单位-1.csv'), rows(1)),
      '--map-column',
      '单位全称',
    );
    expect(bad.code).toBe(1);
    expect(bad.err).toContain('--map-column 的写法是「表头=字段」');
    const ok = await steward(
      'import',
      path.join(dir, '往来单位-1.csv'),
      '--map-column',
      '单位全称=客户名称',
      '--commit',
      '--json',
    );
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.out)).toMatchObject({ dryRun: false, created: 1, errors: [] });
    const next = await steward('import', writeCsv(path.join(dir, '往来单位-2.csv'), rows(2)), '--commit');
    expect(next.code).toBe(0);
    expect(next.out).toContain('  · 按来源「往来单位」保存的列对应关系读取: 单位全称=客户名称');
  });
});
