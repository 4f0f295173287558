import fs from 'node:fs';
import path from 'node:path';
import { Op } from 'sequelize';
import type { Core } from '../../context.js';
import { localParts } from '../../customers/codes.js';
import { MANIFEST } from './manifest.js';

export interface BackupEntry {
  path: string;
  createdAt: Date;
}

/** Complete backups in a directory (those with a manifest), newest first. */
export function backupsIn(root: string): BackupEntry[] {
  if (!fs.existsSync(root)) return [];
  const out: BackupEntry[] = [];
  for (const name of fs.readdirSync(root)) {
    if (!name.startsWith('steward-backup-')) continue;
    try {
      const m = JSON.parse(fs.readFileSync(path.join(root, name, MANIFEST), 'utf8')) as { createdAt: string };
      out.push({ path: path.join(root, name), createdAt: new Date(m.createdAt) });
    } catch {
      // No readable manifest: not a complete backup, and not ours to judge here.
    }
  }
  return out.sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime());
}

/** ISO week key (e.g. 2026-W48) of a local date. */
function isoWeek(year: number, month: number, day: number): string {
  const d = new Date(Date.UTC(year, month - 1, day));
  const dow = d.getUTCDay() || 7;
  d.setUTCDate(d.getUTCDate() + 4 - dow);
  const first = new Date(Date.UTC(d.getUTCFullYear(), 0, 1));
  const week = Math.ceil(((d.getTime() - first.getTime()) / 86400000 + 1) / 7);
  return `${d.getUTCFullYear()}-W${String(week).padStart(2, '0')}`;
}

/**
 * Which backups retention keeps: every backup of the N most recent days that have backups (so a
 * safety backup never pushes out this morning's), plus the newest of each of the M most recent weeks.
 */
export function retained(entries: BackupEntry[], keepDaily: number, keepWeekly: number, timeZone: string): Set<string> {
  const keep = new Set<string>();
  const days = new Set<string>();
  const weeks = new Set<string>();
  for (const e of entries) {
    const p = localParts(e.createdAt, timeZone);
    const day = `${p.year}-${p.month}-${p.day}`;
    const week = isoWeek(Number(p.year), Number(p.month), Number(p.day));
    if (days.has(day) || days.size < keepDaily) {
      if (keepDaily > 0) days.add(day);
      if (days.has(day)) keep.add(e.path);
    }
    if (!weeks.has(week) && weeks.size < keepWeekly) {
      weeks.add(week);
      keep.add(e.path);
    }
  }
  return keep;
}

/**
 * Deletes backups retention does not keep (never `justMade`), and temporary directories of
 * interrupted backups older than a day. Marks pruned ones in backup_records.
 */
export async function pruneBackups(core: Core, root: string, justMade: string): Promise<string[]> {
  const entries = backupsIn(root);
  const keep = retained(
    entries,
    core.config.BACKUP_KEEP_DAILY,
    core.config.BACKUP_KEEP_WEEKLY,
    core.config.STEWARD_TIMEZONE,
  );
  keep.add(justMade);
  const pruned = entries.filter((e) => !keep.has(e.path)).map((e) => e.path);
  for (const p of pruned) fs.rmSync(p, { recursive: true, force: true });
  const dayAgo = core.now().getTime() - 86400_000;
  for (const name of fs.readdirSync(root)) {
    const p = path.join(root, name);
    if (name.startsWith('.tmp-steward-backup-') && fs.statSync(p).mtimeMs < dayAgo)
      fs.rmSync(p, { recursive: true, force: true });
  }
  if (pruned.length)
    await core.models.BackupRecord.update({ prunedAt: core.now() }, { where: { path: { [Op.in]: pruned } } });
  return pruned;
}
