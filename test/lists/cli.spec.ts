import path from 'node:path';
import { expect, it } from '@jest/globals';
import { registerDataCommands } from '../../cli/commands/data.js';
import { eachDialect } from '../helpers/db.js';
import { runSteward } from '../helpers/steward-cli.js';
import { tempDir, writeCsv } from '../data/fixtures.js';

eachDialect('steward import --map-value / --create-missing from the command line (in process)', (h) => {
  const steward = (...argv: string[]) => runSteward(registerDataCommands, h.core, argv);

  it('summarises unknown values once, then imports with --map-value; --create-missing lists what it would add', async () => {
    const dir = tempDir();
    const file = writeCsv(path.join(dir, '客户.csv'), [
      ['客户名称', '客户分类', '区域'],
      ['命令行甲商行', '零售', ''],
      ['命令行乙商行', '零售', ''],
      ['命令行丙商行', '社区团购', ''],
    ]);
    const dry = await steward('import', file);
    expect(dry.code).toBe(1);
    expect(dry.out).toContain('  · 客户分类「零售」出现 2 行 (第 2、3 行), 不在客户分类表中 (是不是「零售商」?)');
    expect(dry.out).toContain('  · 客户分类「社区团购」出现 1 行 (第 4 行), 不在客户分类表中');
    expect(dry.out).toContain('--map-value 客户分类:零售=零售商');
    expect(dry.out.match(/第 \d+ 行 客户分类:/g)).toBeNull();

    const missing = await steward('import', file, '--map-value', '客户分类:零售=零售商', '--create-missing');
    expect(missing.code).toBe(0);
    expect(missing.out).toContain(
      '  · 客户分类「社区团购」出现 1 行 (第 4 行), 不在客户分类表中, 将新增到客户分类表 (按要求新建缺失的值)',
    );
    expect(missing.out).toContain('将新建 3,');

    const ok = await steward(
      'import',
      file,
      '--map-value',
      '客户分类:零售=零售商',
      '--map-value',
      '客户分类:社区团购=其他',
      '--commit',
      '--json',
    );
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.out)).toMatchObject({ dryRun: false, created: 3, errors: [] });
  });
});
