import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Op, type Transaction } from 'sequelize';
import { canonicalJson } from '../canonical.js';
import type { Config } from '../config.js';
import type { Core } from '../context.js';
import type { Keys } from '../privacy.js';

/** The chain head at a moment, signed with STEWARD_AUDIT_KEY, kept outside the database. */
export interface Checkpoint {
  /** The id of the last event (0 for an empty chain). */
  id: number;
  hash: string;
  /** How many events the chain held up to and including `id`. */
  count: number;
  /** ISO time the checkpoint was taken. */
  at: string;
  /** HMAC-SHA256 under STEWARD_AUDIT_KEY of the canonical JSON of the four fields above. */
  sig: string;
}

/** Where checkpoints are appended, one JSON line each: DATA_DIR/audit-checkpoints.jsonl. */
export function checkpointFile(config: Pick<Config, 'DATA_DIR'>): string {
  return path.resolve(config.DATA_DIR, 'audit-checkpoints.jsonl');
}

function signature(keys: Keys, c: Omit<Checkpoint, 'sig'>): string {
  return crypto
    .createHmac('sha256', keys.auditKey)
    .update(`steward-audit-checkpoint|${canonicalJson({ id: c.id, hash: c.hash, count: c.count, at: c.at })}`)
    .digest('hex');
}

/** True when the checkpoint's fields are what was signed with this installation's audit key. */
export function checkpointSigned(keys: Keys, c: Checkpoint): boolean {
  if (typeof c?.sig !== 'string' || c.sig.length !== 64) return false;
  return crypto.timingSafeEqual(Buffer.from(c.sig, 'hex'), Buffer.from(signature(keys, c), 'hex'));
}

/**
 * The current chain head (id, hash, count), read inside `t` when given (a backup's snapshot): the
 * newest head of all lanes, and how many events there are up to it in all lanes, so a checkpoint
 * also catches events removed from another lane's tail (the count drops).
 */
export async function chainHead(core: Core, t?: Transaction): Promise<{ id: number; hash: string; count: number }> {
  const heads = await core.models.AuditHead.findAll({ transaction: t });
  if (!heads.length) throw new Error('audit_head row missing: run migrations');
  const head = heads.reduce((a, b) => (b.lastId > a.lastId ? b : a));
  const count = head.lastId
    ? await core.models.AuditEvent.count({ where: { id: { [Op.lte]: head.lastId } }, transaction: t })
    : 0;
  return { id: head.lastId, hash: head.hash, count };
}

/** A signed checkpoint of the current head. */
export async function takeCheckpoint(core: Core, t?: Transaction): Promise<Checkpoint> {
  const head = await chainHead(core, t);
  const body = { ...head, at: core.now().toISOString() };
  return { ...body, sig: signature(core.keys, body) };
}

/** Appends a checkpoint to the append-only file (opened with O_APPEND, fsynced). */
export function appendCheckpointFile(config: Pick<Config, 'DATA_DIR'>, c: Checkpoint, source: string): void {
  const file = checkpointFile(config);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const fd = fs.openSync(file, 'a', 0o600);
  try {
    fs.writeSync(fd, `${JSON.stringify({ ...c, source })}\n`);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

/** The text of the daily 审计校验点 message: readable, with the JSON line `steward audit verify --checkpoint` accepts. */
export function checkpointText(c: Checkpoint): string {
  return `审计链校验点: 链头为第 ${c.id} 条事件, 共 ${c.count} 条, 时间 ${c.at}。\n请保留此消息: 若数据库被截断、回滚或改写, steward audit verify --checkpoint '<下面这行>' 会指出来。\n${JSON.stringify(c)}`;
}

/** Finds a checkpoint in text: a JSON object with id, hash, count, at and sig (as in the chat message). */
export function parseCheckpoint(text: string): Checkpoint | null {
  for (const m of text.matchAll(/\{[^{}]*\}/g)) {
    try {
      const c = JSON.parse(m[0]) as Checkpoint;
      if (
        Number.isInteger(c.id) &&
        typeof c.hash === 'string' &&
        Number.isInteger(c.count) &&
        typeof c.at === 'string' &&
        typeof c.sig === 'string'
      )
        return { id: c.id, hash: c.hash, count: c.count, at: c.at, sig: c.sig };
    } catch {
      // not this one
    }
  }
  return null;
}

/** A checkpoint and where it was found. */
export interface FoundCheckpoint {
  checkpoint: Checkpoint;
  source: string;
}

/** Every checkpoint in the append-only file and in the backups' manifests under `backupDir`. */
export function findCheckpoints(config: Pick<Config, 'DATA_DIR'>, backupDir: string): FoundCheckpoint[] {
  const out: FoundCheckpoint[] = [];
  const file = checkpointFile(config);
  if (fs.existsSync(file)) {
    fs.readFileSync(file, 'utf8')
      .split('\n')
      .forEach((line, i) => {
        const c = line.trim() ? parseCheckpoint(line) : null;
        if (c) out.push({ checkpoint: c, source: `${path.basename(file)} 第 ${i + 1} 行` });
      });
  }
  if (fs.existsSync(backupDir)) {
    for (const name of fs.readdirSync(backupDir)) {
      const manifest = path.join(backupDir, name, 'manifest.json');
      if (!fs.existsSync(manifest)) continue;
      try {
        const c = (JSON.parse(fs.readFileSync(manifest, 'utf8')) as { auditCheckpoint?: Checkpoint }).auditCheckpoint;
        if (c) out.push({ checkpoint: c, source: `备份 ${name}` });
      } catch {
        // a damaged manifest is `steward backup verify`'s to report
      }
    }
  }
  return out;
}
