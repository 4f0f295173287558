import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Transaction } from 'sequelize';
import type { Models } from '../../../models/index.js';
import { DomainError } from '../../errors.js';
import type { Progress } from '../source.js';
import { openLines, sha256File } from './files.js';
import type { Manifest, ManifestTable } from './manifest.js';
import { insertValues, tableSpecs, type TableSpec } from './tables.js';
import { startingCategoryRows } from '../../lists/starting.js';

/** A file whose bytes do not match the manifest, named, with what is wrong. */
export interface FileProblem {
  table: string;
  file: string;
  reason: string;
}

/** Checks every file's sha256 against the manifest. */
export async function checkFiles(dir: string, manifest: Manifest): Promise<FileProblem[]> {
  const problems: FileProblem[] = [];
  for (const [table, t] of Object.entries(manifest.tables)) {
    const file = path.join(dir, t.file);
    if (!fs.existsSync(file)) problems.push({ table, file: t.file, reason: '文件缺失' });
    else if ((await sha256File(file)) !== t.sha256)
      problems.push({ table, file: t.file, reason: 'sha256 校验不符 (文件被改动或截断)' });
  }
  return problems;
}

export function fieldAttributes(spec: TableSpec): Record<string, never> {
  return Object.fromEntries(Object.values(spec.model.getAttributes()).map((a) => [a.field, a])) as Record<
    string,
    never
  >;
}

/** A line's row as column → value: format 2 lines are arrays in the manifest's column order. */
export function lineRow(line: string, columns: string[]): Record<string, unknown> {
  const parsed = JSON.parse(line) as unknown;
  if (!Array.isArray(parsed)) return parsed as Record<string, unknown>;
  if (parsed.length !== columns.length)
    throw new SyntaxError(`a line has ${parsed.length} values for ${columns.length} columns`);
  const row: Record<string, unknown> = {};
  for (let i = 0; i < columns.length; i++) row[columns[i]!] = parsed[i];
  return row;
}

/** Streams one table file into the target, in multi-row INSERTs of up to 1000 rows or ~2 MB. */
async function loadTable(
  models: Models,
  spec: TableSpec,
  entry: ManifestTable,
  file: string,
  key: Buffer | null,
  t: Transaction,
  tick: (n: number) => void,
  onRow?: (row: Record<string, unknown>) => void,
): Promise<{ rows: number; contentSha256: string }> {
  const qi = models.sequelize.getQueryInterface();
  const attrs = fieldAttributes(spec);
  const hash = crypto.createHash('sha256');
  let batch: Record<string, unknown>[] = [];
  let size = 0;
  let rows = 0;
  const flush = async () => {
    if (batch.length) await qi.bulkInsert(spec.table, batch, { transaction: t }, attrs);
    tick(batch.length);
    batch = [];
    size = 0;
  };
  for await (const line of await openLines(file, key)) {
    if (!line) continue;
    hash.update(line);
    hash.update('\n');
    const row = lineRow(line, entry.columns);
    onRow?.(row);
    batch.push(insertValues(spec, row));
    size += line.length;
    rows++;
    if (batch.length >= 1000 || size > 2 * 1024 * 1024) await flush();
  }
  await flush();
  return { rows, contentSha256: hash.digest('hex') };
}

/** Empties every backed-up table of the target (inside `t`). */
export async function clearTables(models: Models, t: Transaction): Promise<void> {
  for (const spec of tableSpecs(models).reverse()) await spec.model.destroy({ where: {}, transaction: t });
}

/** Per-table outcome of loading a backup. */
export interface LoadedTable {
  table: string;
  file: string;
  rows: number;
  error: string | null;
}

export interface LoadOptions {
  onProgress?: (p: Progress) => void;
  /** Verify: note a bad file and go on with the next (restore stops at the first). */
  continueOnError?: boolean;
  /** Tables not to load (their files already failed the checksum). */
  skip?: Set<string>;
}

/**
 * Loads every table of a backup into `models` inside `t` (the target must be empty). A restore
 * stops at the first unreadable file, naming it (a truncated gzip or a failed GCM tag).
 */
export async function loadBackup(
  models: Models,
  dir: string,
  manifest: Manifest,
  key: Buffer | null,
  t: Transaction,
  opts: LoadOptions = {},
): Promise<LoadedTable[]> {
  const total = Object.values(manifest.tables).reduce((a, b) => a + b.rows, 0);
  let done = 0;
  const out: LoadedTable[] = [];
  // Backups from before operator_identities keep chat accounts in per-vendor operator columns.
  const legacy = manifest.tables.operator_identities ? null : new LegacyIdentities();
  for (const spec of tableSpecs(models)) {
    const entry = manifest.tables[spec.table];
    await fillFromOlderBackup(models, spec.table, !!entry, legacy, t);
    if (!entry || opts.skip?.has(spec.table)) continue;
    try {
      const r = await loadTable(
        models,
        spec,
        entry,
        path.join(dir, entry.file),
        key,
        t,
        (n) => {
          done += n;
          opts.onProgress?.({ phase: 'write', done, total });
        },
        spec.table === 'operators' && legacy ? (row) => legacy.collect(row) : undefined,
      );
      out.push({
        table: spec.table,
        file: entry.file,
        rows: r.rows,
        error: r.contentSha256 === entry.contentSha256 ? null : '内容 hash 与清单不符',
      });
    } catch (err) {
      out.push({ table: spec.table, file: entry.file, rows: 0, error: readError(err) });
      if (!opts.continueOnError)
        throw new DomainError(
          'VALIDATION',
          `备份文件 ${entry.file} 无法读取: ${readError(err)}。没有写入任何数据; 请换一份备份。`,
          { file: entry.file },
        );
    }
  }
  return out;
}

/** Rows an older backup keeps elsewhere or lacks, written just before `table` would load. */
async function fillFromOlderBackup(
  models: Models,
  table: string,
  inBackup: boolean,
  legacy: LegacyIdentities | null,
  t: Transaction,
): Promise<void> {
  if (table === 'operator_identities' && legacy) await legacy.insert(models, t);
  // Backups from before company lists (0016): the six 客户分类 their customers were limited to.
  if (table === 'list_entries' && !inBackup)
    await models.sequelize
      .getQueryInterface()
      .bulkInsert('list_entries', startingCategoryRows(new Date()), { transaction: t });
}

/** Chat accounts read from the wecom_user_id / dingtalk_user_id columns of an older backup. */
class LegacyIdentities {
  private rows: { operator_id: number; channel: string; external_id: string; created_at: Date }[] = [];

  collect(row: Record<string, unknown>): void {
    for (const [column, channel] of [
      ['wecom_user_id', 'wecom'],
      ['dingtalk_user_id', 'dingtalk'],
    ] as const) {
      const id = row[column];
      if (typeof id === 'string' && id !== '')
        this.rows.push({ operator_id: Number(row.id), channel, external_id: id, created_at: new Date() });
    }
  }

  async insert(models: Models, t: Transaction): Promise<void> {
    if (this.rows.length)
      await models.sequelize.getQueryInterface().bulkInsert('operator_identities', this.rows, { transaction: t });
    this.rows = [];
  }
}

/** A read failure in words: truncated, tampered (GCM), or not JSON. */
export function readError(err: unknown): string {
  const msg = String((err as Error)?.message ?? err);
  const name = String((err as Error)?.name ?? '');
  if (name.startsWith('Sequelize')) {
    const detail =
      (err as { parent?: { message?: string }; errors?: { message: string }[] }).errors
        ?.map((e) => e.message)
        .join('; ') ||
      (err as { parent?: { message?: string } }).parent?.message ||
      msg;
    return `写入目标数据库失败: ${detail}`;
  }
  if (/unexpected end of file|incorrect header check|invalid (block|stored|distance)|zlib|Z_BUF_ERROR/i.test(msg))
    return 'gzip 数据损坏或被截断';
  if (/unable to authenticate|auth/i.test(msg)) return '解密校验失败 (文件被改动, 或密钥不对)';
  if (err instanceof SyntaxError) return '内容不是有效的 JSON 行';
  return msg;
}
