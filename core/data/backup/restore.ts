import path from 'node:path';
import { withTransaction } from '../../../models/tx.js';
import { STARTING_CATEGORIES } from '../../lists/starting.js';
import type { Actor, Core } from '../../context.js';
import { DomainError } from '../../errors.js';
import { assertCan } from '../../permissions.js';
import { checkKeyCanary } from '../../privacy.js';
import { appendAudit, GENESIS_HASH, RESTORE_ACTION } from '../../audit.js';
import { appendCheckpointFile, chainHead, takeCheckpoint } from '../../audit/checkpoint.js';
import { captureLogins, reapplyLogins, type LoginsAfterRestore } from '../../credentials/keep-on-restore.js';
import type { Progress } from '../source.js';
import { takeBackup } from './backup.js';
import { checkFiles, clearTables, loadBackup } from './load.js';
import { keyFor, readManifest, type Manifest } from './manifest.js';
import { tableSpecs } from './tables.js';

export interface RestoreOptions {
  /** Overwrite a database that has data, after taking a safety backup. */
  replace?: boolean;
  onProgress?: (p: Progress) => void;
}

export interface RestoreResult {
  path: string;
  rows: Record<string, number>;
  /** The safety backup taken before replacing, if any. */
  safetyBackup: string | null;
  /** Backups hold no password hashes: which live logins were kept, or the admin re-created (see describeLogins). */
  logins: LoginsAfterRestore;
}

/** Tables of the target that already hold data (the genesis audit head does not count). */
export async function nonEmptyTables(core: Core): Promise<{ table: string; rows: number }[]> {
  const out: { table: string; rows: number }[] = [];
  for (const spec of tableSpecs(core.models)) {
    const rows = await spec.model.count();
    if (!rows) continue;
    // Every database has its key canary in steward_meta, and the genesis head of the audit chain.
    if (spec.table === 'steward_meta' && rows === 1 && (await core.models.StewardMeta.findByPk('key_check'))) continue;
    if (spec.table === 'audit_head' && (await core.models.AuditHead.findAll()).every((h) => h.hash === GENESIS_HASH))
      continue;
    // A new database starts with the six 客户分类 the migration seeds: that is still empty.
    if (spec.table === 'list_entries' && rows === STARTING_CATEGORIES.length && (await untouchedLists(core))) continue;
    out.push({ table: spec.table, rows });
  }
  return out;
}

async function untouchedLists(core: Core): Promise<boolean> {
  const rows = await core.models.ListEntry.findAll();
  return rows.every(
    (r) => r.listKey === 'category' && r.active && r.aliasList().length === 0 && STARTING_CATEGORIES.includes(r.name),
  );
}

/** Phones and addresses in the backup must decrypt with this installation's STEWARD_DATA_KEY. */
function assertSameDataKey(core: Core, canary: { value: string } | null): void {
  if (!canary) return;
  try {
    checkKeyCanary(core.keys, canary.value);
  } catch {
    throw new DomainError(
      'CONFLICT',
      '这份备份里的手机号和地址是用另一把 STEWARD_DATA_KEY 加密的, 用当前密钥还原后将无法解密。请设置备份来源系统的 STEWARD_DATA_KEY 和 STEWARD_INDEX_KEY 后再还原。没有写入任何数据。',
    );
  }
}

/** Refuses a backup from a newer schema than this program knows. */
function checkSchema(core: Core, manifest: Manifest): void {
  const known = new Set(core.schema.known);
  const unknown = manifest.migrations.filter((m) => !known.has(m));
  if (unknown.length) {
    throw new DomainError(
      'CONFLICT',
      `这份备份来自更新版本的程序 (包含迁移 ${unknown.join(', ')}), 当前程序无法还原。请先升级程序再还原。`,
      { unknown },
    );
  }
}

/** Every file of the backup against its checksum, before anything is written. */
async function assertFilesIntact(full: string, manifest: Manifest): Promise<void> {
  const bad = await checkFiles(full, manifest);
  if (bad.length) {
    const list = bad.map((b) => `${b.file} (${b.reason})`).join('、');
    throw new DomainError(
      'VALIDATION',
      `备份校验失败: ${list}。没有写入任何数据; 请换一份备份, 或先用 steward backup verify 检查。`,
      { files: bad },
    );
  }
}

/**
 * Restores a backup into the current database, of either dialect: into an empty one, or with
 * `replace` over the current data after a safety backup. Checksums first; one transaction, so a
 * bad file leaves the database as it was.
 */
export async function restoreBackup(
  core: Core,
  actor: Actor,
  dir: string,
  opts: RestoreOptions = {},
): Promise<RestoreResult> {
  assertCan(actor.operator, 'restoreBackup');
  const full = path.resolve(dir);
  const manifest = readManifest(full);
  const key = keyFor(manifest, core.config);
  await assertFilesIntact(full, manifest);
  checkSchema(core, manifest);
  const occupied = await nonEmptyTables(core);
  if (occupied.length && !opts.replace) {
    const list = occupied
      .slice(0, 5)
      .map((o) => `${o.table} ${o.rows} 行`)
      .join('、');
    throw new DomainError(
      'CONFLICT',
      `目标数据库不是空的 (${list})。还原到空库; 若确要覆盖当前数据, 加 --replace (会先自动做一份安全备份)。`,
      { occupied },
    );
  }
  const safety = occupied.length ? await takeBackup(core, actor, { reason: 'pre-restore' }) : null;
  const { loaded, logins } = await withTransaction(core.models.sequelize, async (t) => {
    const live = await captureLogins(core, t);
    const headBefore = await chainHead(core, t);
    await clearTables(core.models, t);
    const out = await loadBackup(core.models, full, manifest, key, t, { onProgress: opts.onProgress });
    assertSameDataKey(core, await core.models.StewardMeta.findByPk('key_check', { transaction: t }));
    // The restore is itself an event of the restored chain: which backup, by whom, the head before
    // and after. `steward audit verify` then explains the rollback instead of reporting a truncation.
    const headAfter = await chainHead(core, t);
    await appendAudit(core, t, actor, {
      action: RESTORE_ACTION,
      info: {
        backup: path.basename(full),
        backupCreatedAt: manifest.createdAt,
        by: actor.operator.displayName,
        headBefore,
        headAfter,
      },
    });
    return { loaded: out, logins: await reapplyLogins(core, t, live) };
  });
  appendCheckpointFile(core.config, await takeCheckpoint(core), 'restore');
  const broken = loaded.filter((l) => l.error);
  if (broken.length) core.logger.warn({ broken }, 'restored tables differ from the manifest content hash');
  return {
    path: full,
    rows: Object.fromEntries(loaded.map((l) => [l.table, l.rows])),
    safetyBackup: safety?.path ?? null,
    logins,
  };
}
