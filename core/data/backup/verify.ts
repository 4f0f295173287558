import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createSequelize } from '../../../models/db.js';
import { initModels, type Models } from '../../../models/index.js';
import type { Actor, Core } from '../../context.js';
import { assertCan } from '../../permissions.js';
import type { Progress } from '../source.js';
import { snapshotHashes } from './compare.js';
import { checkFiles, clearTables, loadBackup, type FileProblem, type LoadedTable } from './load.js';
import { keyFor, lineShape, readManifest, type ManifestTable } from './manifest.js';

/** The verdict on one table. */
export interface VerifyTable {
  table: string;
  file: string;
  expectedRows: number;
  rows: number | null;
  ok: boolean;
  problem: string | null;
}

export interface VerifyReport {
  path: string;
  ok: boolean;
  tables: VerifyTable[];
}

/** A migrated, empty scratch SQLite database in a temp directory. */
async function scratchDatabase(core: Core): Promise<{ models: Models; dir: string }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'steward-verify-'));
  const sequelize = createSequelize({ dialect: 'sqlite', storage: path.join(dir, 'verify.sqlite') });
  await core.schema.up(sequelize);
  return { models: initModels(sequelize), dir };
}

/** One table's verdict: its file, its load, then its restored row count and content hash against the manifest. */
function tableVerdict(
  table: string,
  entry: ManifestTable,
  fileProblem: FileProblem | undefined,
  load: LoadedTable | undefined,
  got: { rows: number; contentSha256: string } | undefined,
): VerifyTable {
  let problem = fileProblem
    ? `${entry.file}: ${fileProblem.reason}`
    : load?.error
      ? `${entry.file}: ${load.error}`
      : !got
        ? '本程序版本没有这张表'
        : null;
  if (!problem && got!.rows !== entry.rows) problem = `行数不符: 清单 ${entry.rows} 行, 还原出 ${got!.rows} 行`;
  else if (!problem && got!.contentSha256 !== entry.contentSha256) problem = '还原后的内容 hash 与清单不符';
  return {
    table,
    file: entry.file,
    expectedRows: entry.rows,
    rows: problem ? (load?.rows ?? null) : got!.rows,
    ok: !problem,
    problem,
  };
}

/**
 * Verifies a backup for real: every file's sha256, then a full restore into a scratch SQLite
 * database, comparing row counts and content hashes table by table. Records the result.
 */
export async function verifyBackup(
  core: Core,
  actor: Actor,
  dir: string,
  opts: { onProgress?: (p: Progress) => void } = {},
): Promise<VerifyReport> {
  assertCan(actor.operator, 'backup');
  const full = path.resolve(dir);
  const manifest = readManifest(full);
  const key = keyFor(manifest, core.config);
  const bad = new Map((await checkFiles(full, manifest)).map((p) => [p.table, p]));
  const scratch = await scratchDatabase(core);
  const tables: VerifyTable[] = [];
  try {
    const loaded = await scratch.models.sequelize.transaction(async (t) => {
      await clearTables(scratch.models, t);
      return loadBackup(scratch.models, full, manifest, key, t, {
        continueOnError: true,
        skip: new Set(bad.keys()),
        onProgress: opts.onProgress,
      });
    });
    const hashes = await snapshotHashes(scratch.models, lineShape(manifest));
    for (const [table, entry] of Object.entries(manifest.tables))
      tables.push(
        tableVerdict(
          table,
          entry,
          bad.get(table),
          loaded.find((l) => l.table === table),
          hashes.get(table),
        ),
      );
  } finally {
    await scratch.models.sequelize.close();
    fs.rmSync(scratch.dir, { recursive: true, force: true });
  }
  const report: VerifyReport = { path: full, ok: tables.every((t) => t.ok), tables };
  const detail = report.ok
    ? null
    : tables
        .filter((t) => !t.ok)
        .map((t) => `${t.table}: ${t.problem}`)
        .join('; ');
  await core.models.BackupRecord.update(
    { verifyStatus: report.ok ? 'passed' : 'failed', verifiedAt: core.now(), verifyDetail: detail },
    { where: { path: full } },
  );
  return report;
}
