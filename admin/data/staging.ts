import fs from 'node:fs';
import path from 'node:path';
import type { Core } from '../../core/context.js';
import { StagingArea } from '../../core/data/index.js';
import { DomainError } from '../../core/errors.js';

/** How long an uploaded file waits for 确认导入 (and its error report for download). */
export const STAGE_TTL_MS = 60 * 60_000;

/** The import options chosen with the upload; 确认导入 reuses them so the commit matches the report. */
export interface StagedOptions {
  ignoreUnknown: boolean;
  partial: boolean;
  sheet: string | null;
  /** `客户分类:值=名称` lines (the CLI's --map-value) and --create-missing (admins), kept for 确认导入. */
  mapValues?: string[];
  createMissing?: boolean;
}

/** What is kept beside an uploaded file, so only its uploader can commit it, and only before expiry. */
export interface StagedMeta {
  id: string;
  fileName: string;
  /** The dry run's sha256, which 确认导入 requires the file still to have. */
  sha256?: string;
  operatorId: number;
  expiresAt: number;
  options: StagedOptions;
  hasErrorReport: boolean;
}

const area = (core: Core) => new StagingArea(core, 'admin-imports');

/** The folder under DATA_DIR holding uploads between the dry run and 确认导入. */
export function stageDir(core: Core): string {
  return area(core).dir;
}

/** Where formidable writes an upload first (the same disk, so staging is a rename). */
export function incomingDir(core: Core): string {
  return path.join(stageDir(core), 'incoming');
}

const files = (core: Core, id: string) => {
  const a = area(core);
  return { upload: a.file(id, '.upload'), meta: a.file(id, '.json'), errors: a.file(id, '.errors.xlsx') };
};

/** Paths of a staged upload (the id must already be validated). */
export function stagedFiles(core: Core, id: string) {
  return files(core, id);
}

/** Deletes staged uploads whose time is up, and incoming files left behind by aborted requests. */
export function sweepExpired(core: Core, now = Date.now()): void {
  for (const { id } of area(core).list('.json')) {
    const meta = readMeta(core, id);
    if (!meta || meta.expiresAt < now) removeStaged(core, id);
  }
  for (const name of fs.readdirSync(incomingDir(core))) {
    const file = path.join(incomingDir(core), name);
    if (fs.statSync(file).mtimeMs < now - STAGE_TTL_MS) fs.rmSync(file, { force: true });
  }
}

/** Moves an uploaded temp file into staging under a new opaque id. */
export function stageUpload(
  core: Core,
  tempPath: string,
  meta: Omit<StagedMeta, 'id' | 'expiresAt' | 'hasErrorReport'>,
): StagedMeta {
  sweepExpired(core);
  const id = area(core).newId();
  const f = files(core, id);
  fs.renameSync(tempPath, f.upload);
  const full: StagedMeta = { ...meta, id, expiresAt: Date.now() + STAGE_TTL_MS, hasErrorReport: false };
  writeMeta(core, full);
  return full;
}

/** Saves the meta file of a staged upload. */
export function writeMeta(core: Core, meta: StagedMeta): void {
  fs.writeFileSync(files(core, meta.id).meta, JSON.stringify(meta));
}

function readMeta(core: Core, id: string): StagedMeta | null {
  try {
    return JSON.parse(fs.readFileSync(files(core, id).meta, 'utf8')) as StagedMeta;
  } catch {
    return null;
  }
}

/**
 * A staged upload for this operator, or a Chinese refusal: unknown or expired ids and other
 * operators' uploads look the same (nothing says whether the id exists).
 */
export function findStaged(core: Core, id: unknown, operatorId: number | null, needUpload = true): StagedMeta {
  const meta = StagingArea.isId(id) ? readMeta(core, id) : null;
  const usable =
    meta &&
    meta.operatorId === operatorId &&
    meta.expiresAt >= Date.now() &&
    (!needUpload || fs.existsSync(files(core, meta.id).upload));
  if (!usable) {
    throw new DomainError(
      'NOT_FOUND',
      '找不到这次上传的文件: 可能已超过 1 小时有效期、已经导入过, 或不是你上传的。请重新选择文件上传并预检。',
      {},
    );
  }
  return meta;
}

/** Removes an upload (after its commit) but keeps the error report until expiry. */
export function dropUpload(core: Core, id: string): void {
  fs.rmSync(files(core, id).upload, { force: true });
}

/** Removes everything staged under an id. */
export function removeStaged(core: Core, id: string): void {
  for (const f of Object.values(files(core, id))) fs.rmSync(f, { force: true });
}
