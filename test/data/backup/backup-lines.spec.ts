import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import zlib from 'node:zlib';
import { beforeAll, expect, it } from '@jest/globals';
import { QueryTypes } from 'sequelize';
import { takeBackup } from '../../../core/data/backup/backup.js';
import { restoreBackup } from '../../../core/data/backup/restore.js';
import { tableBlocks, withSnapshot } from '../../../core/data/backup/snapshot.js';
import { normaliseValue, tableSpecs, type TableSpec } from '../../../core/data/backup/tables.js';
import { verifyBackup } from '../../../core/data/backup/verify.js';
import { openCore, prepareDatabase } from '../../../core/boot.js';
import type { Core } from '../../../core/context.js';
import { createLogger } from '../../../core/logger.js';
import { eachDialect, testConfig } from '../../helpers/db.js';
import { tempDir } from '../fixtures.js';

// Text that JSON must escape, or that a byte-level copy could get wrong.
const TRICKY = [
  '引号"和反斜杠\\',
  '换行\n回车\r制表\t',
  '控制符\u0001\u0008\u000c\u001f',
  '表情😀𠮷',
  'U+2028\u2028 U+2029\u2029',
  'DEL\u007f',
  '',
  '/斜杠/ <html>&',
];
// Over one SQLite keyset page (5000 rows) and, at over 1 MB of lines, over one gzip member (1 MB).
const MANY = 7_000;

async function insertCustomers(h: { core: import('../../../core/context.js').Core }): Promise<void> {
  const qi = h.core.models.sequelize.getQueryInterface();
  const at = new Date('2026-11-25T03:04:05.678Z');
  const row = (i: number, text: string) => ({
    code: `T${String(i).padStart(7, '0')}`,
    name: `客户${i}${text}`,
    name_norm: `客户${i}`,
    contact: text || null,
    phone_enc: null,
    phone_hash: null,
    address_enc: null,
    category: '经销商',
    status: i % 7 ? 'active' : 'inactive',
    note: text,
    version: 1 + (i % 3),
    created_at: at,
    updated_at: new Date(at.getTime() + i * 1000),
  });
  const rows = [];
  for (let i = 0; i < MANY; i++) rows.push(row(i, TRICKY[i % TRICKY.length]!));
  for (let i = 0; i < rows.length; i += 2000) await qi.bulkInsert('customers', rows.slice(i, i + 2000));
}

/** The lines JSON.stringify gives for the table, read through Sequelize (no byte-level path). */
async function expectedLines(h: { core: import('../../../core/context.js').Core }, spec: TableSpec): Promise<string[]> {
  const rows = await h.core.models.sequelize.query<Record<string, unknown>>(`SELECT * FROM customers ORDER BY id`, {
    type: QueryTypes.SELECT,
    raw: true,
  });
  return rows.map((r) =>
    JSON.stringify(spec.columns.map((c, i) => normaliseValue(spec.kinds[i]!, r[c], spec.scales[i]!))),
  );
}

/** A fresh SQLite core with the same keys as `source`, so a backup of `source` restores into it. */
async function openSqliteTarget(source: Core): Promise<Core> {
  const { STEWARD_DATA_KEY, STEWARD_INDEX_KEY, SESSION_SECRET } = source.config;
  const target = openCore(
    testConfig(`sqlite:${tempDir()}/restored.sqlite`, {
      STEWARD_DATA_KEY: STEWARD_DATA_KEY!,
      STEWARD_INDEX_KEY: STEWARD_INDEX_KEY!,
      SESSION_SECRET: SESSION_SECRET!,
    }),
    createLogger('silent'),
  );
  await prepareDatabase(target);
  return target;
}

interface ManifestTable {
  file: string;
  columns: string[];
  sha256: string;
  contentSha256: string;
}

/** Rewrites a format 2 backup as the previous version wrote it: one JSON object per line. */
function rewriteAsFormat1(dir: string, manifest: { format: string; tables: Record<string, ManifestTable> }): void {
  for (const entry of Object.values(manifest.tables)) {
    const file = path.join(dir, entry.file);
    const lines = zlib.gunzipSync(fs.readFileSync(file)).toString('utf8').split('\n').slice(0, -1);
    const plain = lines
      .map(
        (l) =>
          `${JSON.stringify(Object.fromEntries((JSON.parse(l) as unknown[]).map((v, i) => [entry.columns[i], v])))}\n`,
      )
      .join('');
    const gz = zlib.gzipSync(plain);
    fs.writeFileSync(file, gz);
    entry.sha256 = crypto.createHash('sha256').update(gz).digest('hex');
    entry.contentSha256 = crypto.createHash('sha256').update(plain).digest('hex');
  }
  manifest.format = 'steward-backup/1';
  fs.writeFileSync(path.join(dir, 'manifest.json'), JSON.stringify(manifest));
}

eachDialect('backup lines', (h) => {
  beforeAll(async () => {
    await insertCustomers(h);
  });

  it('writes every row, in order, exactly as JSON.stringify would, even when the reader is slow', async () => {
    const spec = tableSpecs(h.core.models).find((s) => s.table === 'customers')!;
    const got: string[] = [];
    await withSnapshot(h.core.models.sequelize, async (t) => {
      for await (const ready of tableBlocks(h.core.models.sequelize, spec, t, 'array')) {
        for (const b of ready) got.push(...b.block.toString('utf8').split('\n').slice(0, -1));
        // A slow consumer: MySQL keeps sending, the socket is paused and resumed, the end arrives mid-yield.
        await sleep(2);
      }
    });
    const want = await expectedLines(h, spec);
    expect(got.length).toBe(MANY);
    expect(Buffer.byteLength(got.join('\n'))).toBeGreaterThan(1024 * 1024);
    expect(got).toEqual(want);
    expect(
      got.some((l) => l.includes('\\u0001') && l.includes('\\b') && l.includes('\\f') && l.includes('\\u001f')),
    ).toBe(true);
    expect(got.some((l) => l.includes('😀𠮷') && !l.includes('\\ud'))).toBe(true);
  });

  it('a backup of them verifies, and restores into SQLite with every value intact', async () => {
    const admin = await h.actor('备份管理员', ['admin']);
    const r = await takeBackup(h.core, admin, { outDir: tempDir() });
    expect(r.rows.customers).toBe(MANY);
    const report = await verifyBackup(h.core, admin, r.path);
    expect(report.tables.filter((t) => !t.ok)).toEqual([]);
    const target = await openSqliteTarget(h.core);
    try {
      await restoreBackup(target, admin, r.path);
      const names = async (core: typeof target) =>
        (await core.models.Customer.findAll({ attributes: ['name', 'note', 'updatedAt'], order: [['id', 'ASC']] })).map(
          (c) => [c.name, c.note, c.updatedAt.toISOString()],
        );
      expect(await names(target)).toEqual(await names(h.core));
    } finally {
      await target.models.sequelize.close();
    }
  });

  it('still verifies and restores a format 1 backup, whose lines are objects', async () => {
    const admin = await h.actor('备份管理员', ['admin']);
    const r = await takeBackup(h.core, admin, { outDir: tempDir() });
    const manifestFile = path.join(r.path, 'manifest.json');
    const manifest = JSON.parse(fs.readFileSync(manifestFile, 'utf8'));
    expect(manifest.format).toBe('steward-backup/2');
    expect(r.encrypted).toBe(false);
    rewriteAsFormat1(r.path, manifest);
    expect(
      zlib
        .gunzipSync(fs.readFileSync(path.join(r.path, manifest.tables.customers.file)))
        .toString()
        .startsWith('{"address_enc":'),
    ).toBe(true);
    const report = await verifyBackup(h.core, admin, r.path);
    expect(report.tables.filter((t) => !t.ok)).toEqual([]);
    expect(report.tables.find((t) => t.table === 'customers')?.rows).toBe(MANY);
  });
});
