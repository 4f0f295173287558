import { spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import path from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { testDialects } from '../helpers/db.js';
import { tempDir, writeCsv } from '../data/fixtures.js';

// Each spawn compiles the CLI with tsx (seconds apiece), so this suite stays small.
for (const target of testDialects()) {
  describe(`steward import --map-value / --create-missing from the command line [${target.name}]`, () => {
    const dir = tempDir();
    const run = (url: string, ...args: string[]) =>
      spawnSync(process.execPath, [path.resolve('cli/bin.mjs'), ...args], {
        encoding: 'utf8',
        cwd: dir,
        timeout: 120_000,
        env: {
          ...process.env,
          DATABASE_URL: url,
          DATA_DIR: path.join(dir, 'data'),
          STEWARD_DEMO: 'false',
          LOG_LEVEL: 'silent',
          NODE_ENV: 'test',
          STEWARD_DATA_KEY: KEYS.data,
          STEWARD_INDEX_KEY: KEYS.index,
          SESSION_SECRET: KEYS.session,
        },
      });

    it('summarises unknown values once, then imports with --map-value; --create-missing lists what it would add', async () => {
      const url = await target.url();
      const file = writeCsv(path.join(dir, '客户.csv'), [
        ['客户名称', '客户分类', '区域'],
        ['命令行甲商行', '零售', ''],
        ['命令行乙商行', '零售', ''],
        ['命令行丙商行', '社区团购', ''],
      ]);
      const dry = run(url, 'import', file);
      expect(dry.status).toBe(1);
      expect(dry.stdout).toContain('  · 客户分类「零售」出现 2 行 (第 2、3 行), 不在客户分类表中 (是不是「零售商」?)');
      expect(dry.stdout).toContain('  · 客户分类「社区团购」出现 1 行 (第 4 行), 不在客户分类表中');
      expect(dry.stdout).toContain('--map-value 客户分类:零售=零售商');
      expect(dry.stdout.match(/第 \d+ 行 客户分类:/g)).toBeNull();

      const missing = run(url, 'import', file, '--map-value', '客户分类:零售=零售商', '--create-missing');
      expect(missing.status).toBe(0);
      expect(missing.stdout).toContain(
        '  · 客户分类「社区团购」出现 1 行 (第 4 行), 不在客户分类表中, 将新增到客户分类表 (按要求新建缺失的值)',
      );
      expect(missing.stdout).toContain('将新建 3,');

      const ok = run(
        url,
        'import',
        file,
        '--map-value',
        '客户分类:零售=零售商',
        '--map-value',
        '客户分类:社区团购=其他',
        '--commit',
        '--json',
      );
      expect(ok.status).toBe(0);
      expect(JSON.parse(ok.stdout)).toMatchObject({ dryRun: false, created: 3, errors: [] });
    });
  });
}

const KEYS = {
  data: crypto.randomBytes(32).toString('base64'),
  index: crypto.randomBytes(32).toString('base64'),
  session: crypto.randomBytes(32).toString('hex'),
};
