import { spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import path from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { openCore, prepareDatabase } from '../../core/boot.js';
import { loadConfig } from '../../core/config.js';
import { jobActor } from '../../core/context.js';
import { createCustomer } from '../../core/customers/create.js';
import { retained } from '../../core/data/backup/retention.js';
import { createLogger } from '../../core/logger.js';
import { HEADERS, tempDir, writeCsv } from './fixtures.js';

/** A database and data directory of one test's own, and the CLI run on them. */
function freshCli() {
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
  /** Migrates the database and creates one customer in process (no spawn: each costs seconds). */
  const withOneCustomer = async () => {
    const config = loadConfig(env);
    const core = openCore(config, createLogger('silent'));
    await prepareDatabase(core);
    await createCustomer(core, jobActor('test'), { name: '命令行备份甲' });
    await core.models.sequelize.close();
  };
  return { dir, steward, withOneCustomer };
}

// Each spawn compiles the CLI with tsx: a few seconds apiece, so this suite stays small.
describe('steward import / backup from the command line', () => {
  it('prints the --json summary the issue specifies, with exit codes 0, 1 and 2', () => {
    const { dir, steward } = freshCli();
    const file = writeCsv(path.join(dir, 'c.csv'), [
      HEADERS,
      ['', '命令行甲', '', '13800000001', '', '', '', '', ''],
      ['', '', '', '', '', '', '', '', '有备注没名称'],
    ]);
    const dry = steward('import', file, '--json');
    expect(dry.status).toBe(1);
    expect(JSON.parse(dry.stdout)).toEqual({
      dryRun: true,
      created: 1,
      updated: 0,
      unchanged: 0,
      skipped: 0,
      errors: [{ row: 3, column: '客户名称', message: '客户名称必填' }],
      duplicates: [],
      batchId: null,
    });
    const ok = steward('import', file, '--commit', '--partial', '--json');
    expect(ok.status).toBe(0);
    expect(JSON.parse(ok.stdout)).toMatchObject({ dryRun: false, created: 1, batchId: '1' });
    expect(steward('export', '--format', 'pdf').status).toBe(2);
  });

  it('backs up with a JSON summary, and will not restore without a confirmation', async () => {
    const { steward, withOneCustomer } = freshCli();
    await withOneCustomer();
    const b = steward('backup', '--json');
    expect(b.status).toBe(0);
    const summary = JSON.parse(b.stdout) as { path: string; rows: Record<string, number>; sha256: string };
    expect(Object.keys(summary)).toEqual(['path', 'rows', 'sha256']);
    expect(summary.rows.customers).toBe(1);
    const r = steward('restore', summary.path);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('非交互环境请加 --yes');
  });
});

describe('retention', () => {
  it('keeps every backup of the last N backup days and the newest of the last M weeks', () => {
    const at = (iso: string) => ({ path: iso, createdAt: new Date(iso) });
    const list = [
      '2026-11-25T02:00:00Z',
      '2026-11-25T01:00:00Z',
      '2026-11-24T19:00:00Z',
      '2026-11-23T19:00:00Z',
      '2026-11-16T19:00:00Z',
      '2026-11-10T19:00:00Z',
      '2026-11-02T19:00:00Z',
    ].map(at);
    const keep = retained(list, 2, 3, 'Asia/Shanghai');
    // In Asia/Shanghai 24T19Z is already the 25th: the two backup days are the 25th and the 24th.
    expect([...keep].sort()).toEqual([
      '2026-11-10T19:00:00Z',
      '2026-11-16T19:00:00Z',
      '2026-11-23T19:00:00Z',
      '2026-11-24T19:00:00Z',
      '2026-11-25T01:00:00Z',
      '2026-11-25T02:00:00Z',
    ]);
  });
});
