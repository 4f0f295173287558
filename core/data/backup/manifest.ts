import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Config } from '../../config.js';
import { DomainError } from '../../errors.js';
import type { LineShape } from './line-blocks.js';
import type { Checkpoint } from '../../audit/checkpoint.js';

export const MANIFEST = 'manifest.json';
/** Format 2 writes each row as a JSON array in `columns` order; format 1 (objects) is still read. */
export const FORMAT = 'steward-backup/2';
const READABLE = ['steward-backup/1', FORMAT];

/** How a backup's lines hold their rows. */
export function lineShape(manifest: Manifest): LineShape {
  return manifest.format === 'steward-backup/1' ? 'object' : 'array';
}

export interface ManifestTable {
  file: string;
  rows: number;
  bytes: number;
  sha256: string;
  contentSha256: string;
  columns: string[];
}

/** manifest.json: what a backup holds and how to check it. */
export interface Manifest {
  format: string;
  createdAt: string;
  operator: string;
  reason: string;
  dialect: string;
  /** The schema version: the migrations applied to the database it came from. */
  migrations: string[];
  encrypted: boolean;
  /** Identifies the backup key (an HMAC of it), so a wrong key is named as such. */
  keyId: string | null;
  tables: Record<string, ManifestTable>;
  /** The audit chain head in this backup's snapshot, signed with STEWARD_AUDIT_KEY (absent in older backups). */
  auditCheckpoint?: Checkpoint;
}

/** STEWARD_BACKUP_KEY as 32 bytes, or null when backups are not encrypted. */
export function backupKey(config: Config): Buffer | null {
  return config.STEWARD_BACKUP_KEY ? Buffer.from(config.STEWARD_BACKUP_KEY, 'base64') : null;
}

/** A short public fingerprint of a key. */
export function keyId(key: Buffer | null): string | null {
  return key ? crypto.createHmac('sha256', key).update('steward-backup-key-id').digest('hex').slice(0, 16) : null;
}

/** Where backups go: BACKUP_DIR, else <DATA_DIR>/backups. */
export function backupRoot(config: Config): string {
  return path.resolve(config.BACKUP_DIR ?? path.join(config.DATA_DIR, 'backups'));
}

/** Reads and checks manifest.json; a missing or damaged one is named. */
export function readManifest(dir: string): Manifest {
  const file = path.join(dir, MANIFEST);
  if (!fs.existsSync(dir))
    throw new DomainError('NOT_FOUND', `找不到备份目录「${dir}」。用 steward backup list 查看已有备份。`, {
      path: dir,
    });
  let manifest: Manifest;
  try {
    manifest = JSON.parse(fs.readFileSync(file, 'utf8')) as Manifest;
  } catch {
    throw new DomainError(
      'VALIDATION',
      `「${dir}」里的 ${MANIFEST} 缺失或损坏, 这不是一份完整的备份 (可能备份中途被中断)。请换一份备份。`,
      { path: dir, file: MANIFEST },
    );
  }
  if (!READABLE.includes(manifest.format) || !manifest.tables) {
    throw new DomainError('VALIDATION', `「${dir}」的 ${MANIFEST} 不是本系统的备份格式 (${FORMAT})。`, { path: dir });
  }
  return manifest;
}

/** The key a backup needs, or a message saying which one is missing or wrong. */
export function keyFor(manifest: Manifest, config: Config): Buffer | null {
  if (!manifest.encrypted) return null;
  const key = backupKey(config);
  if (!key)
    throw new DomainError('VALIDATION', '这份备份是加密的, 需要设置备份时用的 STEWARD_BACKUP_KEY 才能读取。', {
      keyId: manifest.keyId,
    });
  if (manifest.keyId && keyId(key) !== manifest.keyId) {
    throw new DomainError(
      'VALIDATION',
      `当前的 STEWARD_BACKUP_KEY 不是这份备份用的密钥 (备份密钥编号 ${manifest.keyId}, 当前 ${keyId(key)})。请换回备份时的密钥。`,
      { keyId: manifest.keyId },
    );
  }
  return key;
}
