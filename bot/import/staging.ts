import crypto from 'node:crypto';
import fs from 'node:fs';
import { Op } from 'sequelize';
import type { Core } from '../../core/context.js';
import { StagingArea } from '../../core/data/index.js';
import type { BotDeps } from '../commands/context.js';
import { isStoredConfirm, type StoredConfirm } from '../commands/confirmations.js';
import type { IncomingMessage } from '../types.js';

/**
 * The id of 导入客户 (bot/commands/import.ts), whose confirm spec acts on a pending import. A constant
 * here because that module imports this folder (importing its spec would be a cycle).
 */
export const IMPORT_COMMAND_ID = 'customer.import';

/** What a pending chat import keeps in the conversation store (as a StoredConfirm's payload) until 确认导入 or 取消. */
export interface PendingImport {
  /** What the user types after 确认导入. */
  key: string;
  /** The staged file's id (see stagedFile). */
  file: string;
  fileName: string;
  /** The dry run's hash: 确认导入 refuses a file that changed since. */
  sha256: string;
  /** Rows with errors, and rows a commit would write (created + updated). */
  errorRows: number;
  writable: number;
  /** 映射 answers so far (`客户分类:文件里的值=表中的名称`), as the CLI's --map-value; used again by 确认导入. */
  mapValues?: string[];
  /** 新建缺失 (admins): add the values the lists lack, as the CLI's --create-missing. */
  createMissing?: boolean;
  /** Distinct 客户分类 / 区域 values the dry run found in no list (a 映射 could fix them). */
  openValues?: number;
}

// No 0/O, 1/I/L: the key is read off a phone and typed back.
const KEY_CHARS = 'ABCDEFGHJKMNPQRSTUVWXYZ23456789';

const area = (core: Core) => new StagingArea(core, 'chat-imports');

/** The folder under DATA_DIR where chat uploads wait between the dry run and 确认导入. */
export function stagingDir(core: Core): string {
  return area(core).dir;
}

/** The path of a staged file; throws on anything but an id this module made. */
export function stagedFile(core: Core, id: string): string {
  return area(core).file(id);
}

/** Writes downloaded bytes to a new staged file (readable by this user only). */
export function stage(core: Core, data: Buffer): { id: string; file: string } {
  const id = area(core).newId();
  const file = stagedFile(core, id);
  fs.writeFileSync(file, data, { mode: 0o600 });
  return { id, file };
}

/** Deletes a staged file (nothing happens if it is already gone). */
export function discard(core: Core, id: unknown): void {
  if (StagingArea.isId(id)) fs.rmSync(stagedFile(core, id), { force: true });
}

/** Marks a staged file as fresh, so the sweep leaves it alone while its pending import is renewed. */
export function touch(core: Core, id: string): void {
  const now = core.now();
  try {
    fs.utimesSync(stagedFile(core, id), now, now);
  } catch {
    // gone already: 确认导入 will say so
  }
}

/** A short confirmation key such as 7KQ3. */
export function importKey(): string {
  return Array.from(crypto.randomBytes(4), (b) => KEY_CHARS[b % KEY_CHARS.length]).join('');
}

/**
 * Stores (or renews) the pending import as 导入客户's typed confirmation, replacing any other, and
 * marks its staged file fresh.
 */
export async function storePendingImport(
  deps: Pick<BotDeps, 'core' | 'conversations'>,
  msg: Pick<IncomingMessage, 'channel' | 'userId'>,
  pending: PendingImport,
): Promise<void> {
  const stored: StoredConfirm<PendingImport> = { commandId: IMPORT_COMMAND_ID, key: pending.key, payload: pending };
  await deps.conversations.set(msg.channel, msg.userId, 'confirm', { ...stored }, deps.core.config.CONFIRM_TTL_SECONDS);
  touch(deps.core, pending.file);
}

/** Reads a pending conversation payload (a StoredConfirm) as an import, or null when it is something else. */
export function asPendingImport(stored: unknown): PendingImport | null {
  if (!isStoredConfirm(stored) || stored.commandId !== IMPORT_COMMAND_ID) return null;
  const p = stored.payload as Partial<PendingImport> | null;
  return p && typeof p.file === 'string' && typeof p.key === 'string' ? (p as PendingImport) : null;
}

/**
 * Best effort: deletes staged files that no unexpired pending import points at, once they are older
 * than the confirmation time (a dry run still in progress has no pending entry yet). Catches the
 * files a cleared, replaced or expired confirmation left behind.
 */
export async function sweepStaged(core: Core): Promise<number> {
  const staged = area(core).list('.upload');
  if (!staged.length) return 0;
  const rows = await core.models.BotConversation.findAll({
    where: { kind: 'confirm', expiresAt: { [Op.gt]: core.now() } },
  });
  const live = new Set<string>();
  for (const row of rows) {
    try {
      const p = asPendingImport(JSON.parse(row.payload));
      if (p) live.add(p.file);
    } catch {
      // another kind of payload
    }
  }
  const cutoff = core.now().getTime() - core.config.CONFIRM_TTL_SECONDS * 1000;
  let removed = 0;
  for (const { id, file, mtimeMs } of staged) {
    if (live.has(id) || mtimeMs >= cutoff) continue;
    fs.rmSync(file, { force: true });
    removed++;
  }
  return removed;
}
