import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Transaction } from 'sequelize';
import type { BackupRecord } from '../../../models/index.js';
import type { Actor, Core } from '../../context.js';
import { localParts } from '../../customers/codes.js';
import { assertCan } from '../../permissions.js';
import { appendCheckpointFile, takeCheckpoint, type Checkpoint } from '../../audit/checkpoint.js';
import type { Progress } from '../source.js';
import { fsyncPath, writeBlocks } from './files.js';
import { backupKey, backupRoot, FORMAT, keyId, MANIFEST, type Manifest } from './manifest.js';
import { pruneBackups } from './retention.js';
import { tableBlocks, withSnapshot } from './snapshot.js';
import { tableSpecs, type TableSpec } from './tables.js';
import { backupDuration } from '../../metrics.js';

export interface BackupOptions {
  /** Directory to write into (default BACKUP_DIR). Retention applies only to the default. */
  outDir?: string;
  reason?: 'manual' | 'job' | 'pre-restore';
  onProgress?: (p: Progress) => void;
}

export interface BackupResult {
  path: string;
  rows: Record<string, number>;
  totalRows: number;
  /** sha256 of manifest.json, which lists the sha256 of every file. */
  sha256: string;
  bytes: number;
  encrypted: boolean;
  pruned: string[];
}

function stamp(core: Core): string {
  const now = core.now();
  const { year, month, day } = localParts(now, core.config.STEWARD_TIMEZONE);
  const time = new Intl.DateTimeFormat('en-GB', {
    timeZone: core.config.STEWARD_TIMEZONE,
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hourCycle: 'h23',
  })
    .format(now)
    .replace(/:/g, '');
  return `${year}${month}${day}-${time}`;
}

async function countRows(specs: TableSpec[], t: Transaction): Promise<number> {
  let total = 0;
  for (const s of specs) total += await s.model.count({ transaction: t });
  return total;
}

/** Writes every table into `dir` from one consistent snapshot. */
async function writeTables(
  core: Core,
  dir: string,
  key: Buffer | null,
  onProgress?: (p: Progress) => void,
): Promise<{ tables: Manifest['tables']; checkpoint: Checkpoint }> {
  const { sequelize } = core.models;
  const specs = tableSpecs(core.models);
  const tables: Manifest['tables'] = {};
  let checkpoint: Checkpoint | null = null;
  await withSnapshot(sequelize, async (t) => {
    // The audit head as of this very snapshot, signed: a later rollback to this backup is then provable.
    checkpoint = await takeCheckpoint(core, t);
    const total = onProgress ? await countRows(specs, t) : null;
    let done = 0;
    for (const spec of specs) {
      const file = `${spec.table}.jsonl.gz${key ? '.enc' : ''}`;
      async function* counted() {
        for await (const ready of tableBlocks(sequelize, spec, t, 'array')) {
          const before = done;
          for (const b of ready) done += b.rows;
          if (Math.floor(done / 5000) > Math.floor(before / 5000)) onProgress?.({ phase: 'write', done, total });
          yield ready;
        }
      }
      const w = await writeBlocks(path.join(dir, file), counted(), key);
      tables[spec.table] = {
        file,
        rows: w.rows,
        bytes: w.bytes,
        sha256: w.sha256,
        contentSha256: w.contentSha256,
        columns: spec.columns,
      };
    }
    onProgress?.({ phase: 'write', done, total: done });
  });
  return { tables, checkpoint: checkpoint! };
}

/**
 * Takes a full backup: gzip'd JSONL per table plus manifest.json, from one consistent snapshot,
 * encrypted under STEWARD_BACKUP_KEY when set. Written under a temporary name, fsynced, then
 * renamed, so an interrupted backup never looks complete. Recorded in backup_records.
 */
export async function takeBackup(core: Core, actor: Actor, opts: BackupOptions = {}): Promise<BackupResult> {
  assertCan(actor.operator, 'backup');
  const root = path.resolve(opts.outDir ?? backupRoot(core.config));
  fs.mkdirSync(root, { recursive: true });
  let name = `steward-backup-${stamp(core)}${opts.reason === 'pre-restore' ? '-pre-restore' : ''}`;
  for (let i = 2; fs.existsSync(path.join(root, name)); i++) name = `${name.replace(/_\d+$/, '')}_${i}`;
  const tmp = path.join(root, `.tmp-${name}-${process.pid}`);
  fs.mkdirSync(tmp);
  const key = backupKey(core.config);
  const timer = backupDuration.startTimer();
  try {
    const { tables, checkpoint } = await writeTables(core, tmp, key, opts.onProgress);
    const migrations = await core.schema.executed(core.models.sequelize);
    const manifest: Manifest = {
      format: FORMAT,
      createdAt: core.now().toISOString(),
      operator: actor.operator.displayName,
      reason: opts.reason ?? 'manual',
      dialect: core.models.sequelize.getDialect(),
      migrations,
      encrypted: Boolean(key),
      keyId: keyId(key),
      tables,
      auditCheckpoint: checkpoint,
    };
    const body = Buffer.from(JSON.stringify(manifest, null, 2));
    fs.writeFileSync(path.join(tmp, MANIFEST), body);
    await fsyncPath(path.join(tmp, MANIFEST));
    await fsyncPath(tmp);
    fs.renameSync(tmp, path.join(root, name));
    await fsyncPath(root);
    appendCheckpointFile(core.config, checkpoint, `backup ${name}`);
    const rows = Object.fromEntries(Object.entries(tables).map(([t, v]) => [t, v.rows]));
    const result: BackupResult = {
      path: path.join(root, name),
      rows,
      totalRows: Object.values(rows).reduce((a, b) => a + b, 0),
      sha256: crypto.createHash('sha256').update(body).digest('hex'),
      bytes: Object.values(tables).reduce((a, b) => a + b.bytes, body.length),
      encrypted: Boolean(key),
      pruned: [],
    };
    await recordBackup(core, actor, result, manifest.reason);
    if (root === backupRoot(core.config)) result.pruned = await pruneBackups(core, root, result.path);
    timer({ result: 'ok' });
    return result;
  } catch (err) {
    timer({ result: 'failed' });
    fs.rmSync(tmp, { recursive: true, force: true });
    throw err;
  }
}

async function recordBackup(core: Core, actor: Actor, r: BackupResult, reason: string): Promise<BackupRecord> {
  return core.models.BackupRecord.create({
    path: r.path,
    takenAt: core.now(),
    operatorName: actor.operator.displayName,
    reason,
    totalRows: r.totalRows,
    tableRows: JSON.stringify(r.rows),
    sha256: r.sha256,
    bytes: r.bytes,
    encrypted: r.encrypted,
    verifyStatus: 'unverified',
    verifiedAt: null,
    verifyDetail: null,
    prunedAt: null,
  });
}
