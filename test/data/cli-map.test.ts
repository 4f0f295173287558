import { spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import path from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { tempDir, writeCsv } from './fixtures.js';
import { jshExport, jshRow } from './xls-fixtures.js';

const dir = tempDir();
const env = {
  ...process.env,
  DATABASE_URL: `sqlite:${path.join(dir, 'cli.sqlite')}`,
  DATA_DIR: path.join(dir, 'data'),
  STEWARD_DEMO: 'false',
  LOG_LEVEL: 'silent',
  NODE_ENV: 'test',
  STEWARD_DATA_KEY: crypto.randomBytes(32).toString('base64'),
  STEWARD_INDEX_KEY: crypto.randomBytes(32).toString('base64'),
  SESSION_SECRET: crypto.randomBytes(32).toString('hex'),
};
const steward = (...args: string[]) =>
  spawnSync(process.execPath, [path.resolve('cli/bin.mjs'), ...args], {
    env,
    encoding: 'utf8',
    cwd: dir,
    timeout: 60_000,
  });

// Each spawn compiles the CLI with tsx: a few seconds apiece, so this suite stays small.
describe('steward import: .xls and --map-column from the command line', () => {
  it('dry-runs a jshERP .xls, naming the skipped tip row; --map-column is remembered on --commit', () => {
    const xls = jshExport(path.join(dir, '信息内容.xls'), [
      jshRow('命令行甲有限公司', { mobile: 13000000061, status: 0 }),
    ]);
    const dry = steward('import', xls);
    expect(dry.status).toBe(0);
    expect(dry.stdout).toContain('[试运行, 未写入] 信息内容.xls (旧版 Excel .xls, 工作表「信息内容」)');
    expect(dry.stdout).toContain('  · 已跳过表头上方的提示行: 第 1 行 「*导入时本行内容请勿删除，切记！」');
    expect(dry.stdout).toContain('将新建 1,');

    const rows = (n: number) => [
      ['单位全称', '手机'],
      [`命令行映射${n}`, `1380000007${n}`],
    ];
    const bad = steward('import', writeCsv(path.join(dir, '往来单位-1.csv'), rows(1)), '--map-column', '单位全称');
    expect(bad.status).toBe(1);
    expect(bad.stderr).toContain('--map-column 的写法是「表头=字段」');
    const ok = steward(
      'import',
      path.join(dir, '往来单位-1.csv'),
      '--map-column',
      '单位全称=客户名称',
      '--commit',
      '--json',
    );
    expect(ok.status).toBe(0);
    expect(JSON.parse(ok.stdout)).toMatchObject({ dryRun: false, created: 1, errors: [] });
    const next = steward('import', writeCsv(path.join(dir, '往来单位-2.csv'), rows(2)), '--commit');
    expect(next.status).toBe(0);
    expect(next.stdout).toContain('  · 按来源「往来单位」保存的列对应关系读取: 单位全称=客户名称');
  });
});
