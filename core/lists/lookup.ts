import type { Transaction } from 'sequelize';
import type { ListEntry, ListKey } from '../../models/index.js';
import type { Core } from '../context.js';
import { closestName } from '../data/columns.js';
import { cleanName, toHalfWidth } from '../text.js';

export { LIST_KEYS, type ListKey } from '../../models/index.js';

/** What users call each list. */
export const LIST_LABELS: Record<ListKey, string> = { category: '客户分类', region: '区域' };

/** A list value as compared: half-width, no spaces, lower-case (「 零售 」, 「ＶＩＰ」 and 「vip」 match). */
export function normalizeListValue(text: string): string {
  return toHalfWidth(cleanName(String(text)))
    .replace(/\s+/g, '')
    .toLowerCase();
}

/** One entry as core and the doors see it. */
export interface ListItem {
  id: number;
  listKey: ListKey;
  code: string;
  name: string;
  aliases: string[];
  active: boolean;
  sort: number;
}

/** How a value resolved: the entry's name, or why not (in Chinese, with the valid names and a guess). */
export type Resolution =
  | { ok: true; name: string; entry: ListItem }
  | { ok: false; reason: 'unknown' | 'inactive'; message: string; suggestion: string | null; entry?: ListItem };

export function toItem(e: ListEntry): ListItem {
  return {
    id: e.id,
    listKey: e.listKey,
    code: e.code,
    name: e.name,
    aliases: e.aliasList(),
    active: e.active,
    sort: e.sort,
  };
}

/**
 * Both lists read once, resolved in memory: an import resolves thousands of rows against one
 * snapshot, and create/edit read it inside their transaction so a rename cannot slip between.
 */
export class ListSnapshot {
  private readonly byKey = new Map<ListKey, { items: ListItem[]; index: Map<string, ListItem> }>();

  constructor(items: ListItem[]) {
    const sorted = [...items].sort((a, b) => a.sort - b.sort || a.id - b.id);
    for (const item of sorted) {
      const list = this.list(item.listKey);
      list.items.push(item);
      // A name wins over another entry's alias; among aliases the first entry keeps it.
      list.index.set(normalizeListValue(item.name), item);
    }
    for (const item of sorted)
      for (const alias of item.aliases) {
        const index = this.list(item.listKey).index;
        if (!index.has(normalizeListValue(alias))) index.set(normalizeListValue(alias), item);
      }
  }

  /** Reads both lists. */
  static async load(core: Core, t?: Transaction | null): Promise<ListSnapshot> {
    const rows = await core.models.ListEntry.findAll({ transaction: t ?? undefined });
    return new ListSnapshot(rows.map(toItem));
  }

  private list(key: ListKey) {
    let list = this.byKey.get(key);
    if (!list) this.byKey.set(key, (list = { items: [], index: new Map() }));
    return list;
  }

  /** The entries of a list in display order; active ones only unless asked. */
  entries(key: ListKey, opts: { includeInactive?: boolean } = {}): ListItem[] {
    return this.list(key).items.filter((e) => opts.includeInactive || e.active);
  }

  /** The entry a name or alias stands for, active or not. */
  find(key: ListKey, text: string): ListItem | undefined {
    return this.list(key).index.get(normalizeListValue(text));
  }

  /** A name or alias → the entry's name; unknown and (for a new value) inactive entries are refused. */
  resolve(key: ListKey, text: string, opts: { allowInactive?: boolean } = {}): Resolution {
    const label = LIST_LABELS[key];
    const entry = this.find(key, text);
    if (entry && (entry.active || opts.allowInactive)) return { ok: true, name: entry.name, entry };
    const valid = this.entries(key).map((e) => e.name);
    const choices = valid.length
      ? `可选: ${valid.join('、')}`
      : `${label}表还是空的, 请管理员先在后台「${label}」里添加`;
    if (entry) {
      return {
        ok: false,
        reason: 'inactive',
        entry,
        suggestion: null,
        message: `${label}「${entry.name}」已停用, 不能再用于新的资料。${choices}`,
      };
    }
    const suggestion = this.suggest(key, text);
    return {
      ok: false,
      reason: 'unknown',
      suggestion,
      message: `${label}「${text}」不在${label}表中${suggestion ? ` (是不是「${suggestion}」?)` : ''}。${choices}; 如需新增请联系管理员。`,
    };
  }

  /** The active name closest to an unknown value, through names and aliases alike. */
  suggest(key: ListKey, text: string): string | null {
    const known = new Map<string, string>();
    for (const e of this.entries(key)) for (const n of [e.name, ...e.aliases]) known.set(normalizeListValue(n), e.name);
    return closestName(normalizeListValue(text), known);
  }
}
