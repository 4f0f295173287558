import path from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { registerDataCommands } from '../../cli/commands/data.js';
import { jobActor } from '../../core/context.js';
import { createCustomer } from '../../core/customers/create.js';
import { retained } from '../../core/data/backup/retention.js';
import { eachDialect } from '../helpers/db.js';
import { runSteward, type CliRun } from '../helpers/steward-cli.js';
import { HEADERS, tempDir, writeCsv } from './fixtures.js';

/** Runs `fn` as a script would (stdin not a terminal), whatever terminal jest itself was started from. */
async function withoutTty(fn: () => Promise<CliRun>): Promise<CliRun> {
  const saved = Object.getOwnPropertyDescriptor(process.stdin, 'isTTY');
  Object.defineProperty(process.stdin, 'isTTY', { value: false, configurable: true, writable: true });
  try {
    return await fn();
  } finally {
    if (saved) Object.defineProperty(process.stdin, 'isTTY', saved);
    else delete (process.stdin as { isTTY?: boolean }).isTTY;
  }
}

// Each block has a database of its own: the first import is batch 1, the backup holds exactly one customer.
eachDialect('steward import from the command line (in process, on the test database)', (h) => {
  const steward = (...argv: string[]) => runSteward(registerDataCommands, h.core, argv);

  it('prints the --json summary the issue specifies, with exit codes 0, 1 and 2', async () => {
    const dir = tempDir();
    const file = writeCsv(path.join(dir, 'c.csv'), [
      HEADERS,
      ['', '命令行甲', '', '13800000001', '', '', '', '', ''],
      ['', '', '', '', '', '', '', '', '有备注没名称'],
    ]);
    const dry = await steward('import', file, '--json');
    expect(dry.code).toBe(1);
    expect(JSON.parse(dry.out)).toEqual({
      dryRun: true,
      created: 1,
      updated: 0,
      unchanged: 0,
      skipped: 0,
      errors: [{ row: 3, column: '客户名称', message: '客户名称必填' }],
      duplicates: [],
      batchId: null,
    });
    const ok = await steward('import', file, '--commit', '--partial', '--json');
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.out)).toMatchObject({ dryRun: false, created: 1, batchId: '1' });
    expect((await steward('export', '--format', 'pdf')).code).toBe(2);
  });
});

eachDialect('steward backup / restore from the command line (in process, on the test database)', (h) => {
  const steward = (...argv: string[]) => runSteward(registerDataCommands, h.core, argv);

  it('backs up with a JSON summary, and will not restore without a confirmation', async () => {
    await createCustomer(h.core, jobActor('test'), { name: '命令行备份甲' });
    const b = await steward('backup', '--json');
    expect(b.code).toBe(0);
    const summary = JSON.parse(b.out) as { path: string; rows: Record<string, number>; sha256: string };
    expect(Object.keys(summary)).toEqual(['path', 'rows', 'sha256']);
    expect(summary.rows.customers).toBe(1);
    const r = await withoutTty(() => steward('restore', summary.path));
    expect(r.code).toBe(2);
    expect(r.err).toContain('非交互环境请加 --yes');
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
