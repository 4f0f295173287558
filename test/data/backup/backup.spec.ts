import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { verifyAuditChain } from '../../../core/audit.js';
import { openCore, prepareDatabase } from '../../../core/boot.js';
import type { Core } from '../../../core/context.js';
import { takeBackup } from '../../../core/data/backup/backup.js';
import { lastBackup, listBackups } from '../../../core/data/backup/records.js';
import { restoreBackup } from '../../../core/data/backup/restore.js';
import { verifyBackup } from '../../../core/data/backup/verify.js';
import { seedDemoForTest } from '../../helpers/demo-seed.js';
import { createLogger } from '../../../core/logger.js';
import { eachDialect, freshMysqlDatabase, testConfig, type Harness } from '../../helpers/db.js';
import { tempDir } from '../fixtures.js';

/** A second, empty, migrated database of the given dialect with the same data keys. */
async function emptyCore(from: Core, dialect: 'sqlite' | 'mariadb'): Promise<Core> {
  const url =
    dialect === 'sqlite'
      ? `sqlite:${path.join(tempDir(), 'target.sqlite')}`
      : await freshMysqlDatabase(process.env.TEST_DATABASE_URL!, '_r');
  const { STEWARD_DATA_KEY, STEWARD_INDEX_KEY, SESSION_SECRET, STEWARD_BACKUP_KEY } = from.config;
  const config = testConfig(url, {
    STEWARD_DATA_KEY: STEWARD_DATA_KEY!,
    STEWARD_INDEX_KEY: STEWARD_INDEX_KEY!,
    SESSION_SECRET: SESSION_SECRET!,
    ...(STEWARD_BACKUP_KEY ? { STEWARD_BACKUP_KEY } : {}),
  });
  const core = openCore(config, createLogger('silent'));
  await prepareDatabase(core);
  return core;
}

async function dropCore(core: Core): Promise<void> {
  const { sequelize } = core.models;
  if (sequelize.getDialect() === 'mysql')
    await sequelize.query(`DROP DATABASE IF EXISTS \`${sequelize.getDatabaseName()}\``);
  await sequelize.close();
}

const copyDir = (from: string) => {
  const to = `${from}-copy-${Math.random().toString(36).slice(2, 8)}`;
  fs.cpSync(from, to, { recursive: true });
  return to;
};

let backupPath = '';
const targets: Core[] = [];

/**
 * The demo data and one backup of it that the tests only read (they copy it before tampering with it);
 * the restore targets made along the way are dropped at the end.
 */
function setupDemo(h: Harness): void {
  beforeAll(async () => {
    await seedDemoForTest(h.core);
    // The admin exists before the backup, so restoring it over this database (with --replace) keeps them.
    const admin = await h.actor('备份管理员', ['admin']);
    backupPath = (await takeBackup(h.core, admin)).path;
  });
  afterAll(async () => {
    for (const t of targets.splice(0)) await dropCore(t);
  });
}

eachDialect(
  'backup, verify and restore',
  (h) => {
    // One database with the demo data; each test takes the backup it checks, or reads the shared one.
    setupDemo(h);
    backUpAndVerify(h);
    restoreTheBackup(h);
  },
  { STEWARD_BACKUP_KEY: Buffer.alloc(32, 7).toString('base64') },
);

/** Takes the backup, verifies it, and names the files of a tampered copy. */
function backUpAndVerify(h: Harness): void {
  it("writes gzip'd JSONL per table and a manifest, encrypted under STEWARD_BACKUP_KEY, and records it", async () => {
    const admin = await h.actor('备份管理员', ['admin']);
    const r = await takeBackup(h.core, admin);
    expect(r.rows.customers).toBe(await h.core.models.Customer.count());
    expect(r.rows.sales_orders).toBeGreaterThan(0);
    expect(r.rows.audit_events).toBe(await h.core.models.AuditEvent.count());
    expect(r.encrypted).toBe(true);
    const manifest = JSON.parse(fs.readFileSync(path.join(r.path, 'manifest.json'), 'utf8'));
    expect(manifest.migrations).toContain('0003-data');
    expect(manifest.tables.operators.columns).not.toContain('password_hash');
    const file = path.join(r.path, manifest.tables.customers.file);
    expect(file.endsWith('.jsonl.gz.enc')).toBe(true);
    expect(() => zlib.gunzipSync(fs.readFileSync(file))).toThrow();
    expect(fs.readdirSync(path.dirname(r.path)).filter((n) => n.startsWith('.tmp-'))).toEqual([]);
    expect(await lastBackup(h.core)).toMatchObject({
      path: r.path,
      verifyStatus: 'unverified',
      totalRows: r.totalRows,
    });
  });

  it('verifies by restoring into a scratch SQLite database, table by table', async () => {
    const admin = await h.actor('备份管理员', ['admin']);
    // Its own backup, so the latest backup record is the one it verifies.
    const own = (await takeBackup(h.core, admin)).path;
    const report = await verifyBackup(h.core, admin, own);
    expect(report.ok).toBe(true);
    expect(report.tables.find((t) => t.table === 'customers')).toMatchObject({
      ok: true,
      rows: await h.core.models.Customer.count(),
    });
    expect((await lastBackup(h.core))?.verifyStatus).toBe('passed');
  });

  it('names a tampered file and a truncated file', async () => {
    const admin = await h.actor('备份管理员', ['admin']);
    const tampered = copyDir(backupPath);
    const manifest = JSON.parse(fs.readFileSync(path.join(tampered, 'manifest.json'), 'utf8'));
    const orders = path.join(tampered, manifest.tables.sales_orders.file);
    const bytes = fs.readFileSync(orders);
    bytes[40] = bytes[40]! ^ 0xff;
    fs.writeFileSync(orders, bytes);
    const customers = path.join(tampered, manifest.tables.customers.file);
    fs.truncateSync(customers, Math.floor(fs.statSync(customers).size / 2));
    const report = await verifyBackup(h.core, admin, tampered);
    expect(report.ok).toBe(false);
    const failed = report.tables.filter((t) => !t.ok).map((t) => t.problem);
    expect(failed).toEqual([
      expect.stringContaining(manifest.tables.customers.file),
      expect.stringContaining(manifest.tables.sales_orders.file),
    ]);
    expect(report.tables.find((t) => t.table === 'products')?.ok).toBe(true);
  });
}

/** Restores it elsewhere, over a non-empty database (with --replace), and refuses a broken copy. */
function restoreTheBackup(h: Harness): void {
  it('restores into an empty database of the other dialect, and the audit chain still verifies there', async () => {
    const admin = await h.actor('备份管理员', ['admin']);
    for (const dialect of process.env.TEST_DATABASE_URL ? (['sqlite', 'mariadb'] as const) : (['sqlite'] as const)) {
      const target = await emptyCore(h.core, dialect);
      targets.push(target);
      const r = await restoreBackup(target, admin, backupPath);
      expect(r.safetyBackup).toBeNull();
      expect(r.rows.customers).toBe(await h.core.models.Customer.count());
      expect(await target.models.SalesOrder.count()).toBe(await h.core.models.SalesOrder.count());
      expect((await verifyAuditChain(target)).ok).toBe(true);
      const [a, b] = await Promise.all([
        h.core.models.Customer.findOne({ order: [['id', 'DESC']] }),
        target.models.Customer.findOne({ order: [['id', 'DESC']] }),
      ]);
      expect(b?.code).toBe(a?.code);
      expect(b?.phoneEnc).toBe(a?.phoneEnc);
    }
  });

  it('refuses a non-empty database without --replace, and with it takes a safety backup first', async () => {
    const admin = await h.actor('备份管理员', ['admin']);
    await expect(restoreBackup(h.core, admin, backupPath)).rejects.toThrow(/不是空的.*--replace/);
    await h.core.models.Customer.update({ note: '还原前改过' }, { where: {} });
    const r = await restoreBackup(h.core, admin, backupPath, { replace: true });
    expect(r.safetyBackup).toMatch(/pre-restore/);
    expect(await h.core.models.Customer.count({ where: { note: '还原前改过' } })).toBe(0);
    expect((await listBackups(h.core)).map((b) => b.reason)).toContain('pre-restore');
  });

  it('refuses a restore with a bad file before writing anything, and refuses operators without the right', async () => {
    const admin = await h.actor('备份管理员', ['admin']);
    const broken = copyDir(backupPath);
    const manifest = JSON.parse(fs.readFileSync(path.join(broken, 'manifest.json'), 'utf8'));
    fs.truncateSync(path.join(broken, manifest.tables.products.file), 10);
    const before = await h.core.models.Customer.count();
    await expect(restoreBackup(h.core, admin, broken, { replace: true })).rejects.toThrow(
      manifest.tables.products.file,
    );
    expect(await h.core.models.Customer.count()).toBe(before);
    const sales = await h.actor('王销售', ['sales']);
    await expect(takeBackup(h.core, sales)).rejects.toThrow(/没有「备份」权限/);
  });
}
