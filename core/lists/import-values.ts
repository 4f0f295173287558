import type { Transaction } from 'sequelize';
import type { Actor, Core } from '../context.js';
import { DomainError } from '../errors.js';
import { can } from '../permissions.js';
import { LIST_KEYS, LIST_LABELS, ListSnapshot, normalizeListValue, type ListKey } from './lookup.js';
import { createMissingEntries } from './manage.js';

/** A value of an import column that is in no list: one per distinct value, however many rows carry it. */
export interface UnknownValue {
  list: ListKey;
  label: string;
  /** As first written in the file. */
  value: string;
  rows: number;
  /** The first few row numbers, for finding them. */
  sampleRows: number[];
  suggestion: string | null;
  /** The entry exists but is deactivated. */
  inactive: boolean;
  /** `--create-missing`: the entry is (dry run: will be) added and the rows import. */
  create: boolean;
}

/** `--map-value 客户分类:零售=零售商` entries, resolved: list → normalised file value → entry name. */
export type ValueMap = Map<ListKey, Map<string, string>>;

const LABEL_TO_KEY = new Map<string, ListKey>(
  LIST_KEYS.flatMap((k) => [
    [normalizeListValue(LIST_LABELS[k]), k],
    [k, k],
    ...(k === 'category' ? [[normalizeListValue('分类'), k] as [string, ListKey]] : []),
  ]),
);

/** Parses --map-value entries against the lists: each target must be an active entry (or its alias). */
export function parseValueMaps(entries: string[], lists: ListSnapshot): ValueMap {
  const out: ValueMap = new Map();
  for (const entry of entries) {
    const m = /^([^:：]+)[:：](.+)=(.+)$/.exec(entry.trim());
    const key = m ? LABEL_TO_KEY.get(normalizeListValue(m[1]!)) : undefined;
    // Door-neutral words: the CLI's --map-value, the back office's 值对应 and chat's 映射 all land here.
    if (!m || !key)
      throw new DomainError(
        'VALIDATION',
        `值对应的写法是「客户分类:文件里的值=表中的名称」或「区域:…=…」, 例如 客户分类:零售=零售商 (命令行 --map-value, 聊天里「映射 …」); 「${entry}」不对。`,
        { entry },
      );
    const target = lists.resolve(key, m[3]!.trim());
    if (!target.ok) throw new DomainError('VALIDATION', `值对应「${entry}」: ${target.message}`, { entry });
    if (!out.has(key)) out.set(key, new Map());
    out.get(key)!.set(normalizeListValue(m[2]!), target.name);
  }
  return out;
}

/**
 * Resolves 客户分类 / 区域 of import rows against one snapshot of the lists. Values that are
 * in no list are not reported row by row: they are counted per distinct value, and the rows
 * carrying them fail with a short reason (the error report keeps it per row).
 */
export class ImportValueChecker {
  readonly unknown = new Map<string, UnknownValue>();

  constructor(
    private readonly lists: ListSnapshot,
    private readonly maps: ValueMap,
    private readonly createMissing: boolean,
  ) {}

  /** Loads the lists and checks the options: --create-missing is for admins only. */
  static async prepare(
    core: Core,
    actor: Actor,
    opts: { mapValues?: string[]; createMissing?: boolean },
    t: Transaction | null,
  ): Promise<ImportValueChecker> {
    if (opts.createMissing && !can(actor.operator, 'manageLists')) {
      throw new DomainError(
        'NOT_PERMITTED',
        `${actor.operator.displayName} 不能使用 --create-missing (自动新增分类/区域): 只有管理员可以修改客户分类和区域表。请去掉该选项, 用 --map-value 对应到已有的值, 或请管理员导入。`,
        { action: 'manageLists' },
      );
    }
    const lists = await ListSnapshot.load(core, t);
    return new ImportValueChecker(lists, parseValueMaps(opts.mapValues ?? [], lists), Boolean(opts.createMissing));
  }

  /**
   * The entry name for one cell's value, or null with the row's reason. Called once per row and
   * list column; --map-value is applied first, then names and aliases.
   */
  check(list: ListKey, raw: string, rowNo: number): { name: string } | { reason: string } {
    const mapped = this.maps.get(list)?.get(normalizeListValue(raw));
    if (mapped) return { name: mapped };
    const r = this.lists.resolve(list, raw);
    if (r.ok) return { name: r.name };
    const norm = normalizeListValue(raw);
    const key = `${list}\u0000${norm}`;
    let u = this.unknown.get(key);
    if (!u) {
      const create = this.createMissing && r.reason === 'unknown';
      u = {
        list,
        label: LIST_LABELS[list],
        value: raw.trim(),
        rows: 0,
        sampleRows: [],
        suggestion: r.suggestion,
        inactive: r.reason === 'inactive',
        create,
      };
      this.unknown.set(key, u);
    }
    u.rows++;
    if (u.sampleRows.length < 5) u.sampleRows.push(rowNo);
    if (u.create) return { name: u.value };
    return { reason: u.inactive ? `${u.label}「${u.value}」已停用` : `${u.label}「${u.value}」不在${u.label}表中` };
  }

  /** The distinct unknown values, most rows first. */
  values(): UnknownValue[] {
    return [...this.unknown.values()].sort((a, b) => b.rows - a.rows || a.value.localeCompare(b.value));
  }

  /** Adds the entries --create-missing will add; inside the import's transaction, so a rollback adds none. */
  async createEntries(core: Core, actor: Actor, t: Transaction): Promise<void> {
    for (const list of LIST_KEYS) {
      const names = this.values()
        .filter((u) => u.list === list && u.create)
        .map((u) => u.value);
      if (names.length) await createMissingEntries(core, actor, list, names, t);
    }
  }
}

/** The summary lines of unknown values with the ways to fix them, in Chinese (every door shows these). */
export function unknownValueLines(values: UnknownValue[], opts: { committed: boolean }): string[] {
  if (!values.length) return [];
  const lines: string[] = [];
  for (const u of values) {
    const where = `出现 ${u.rows} 行 (第 ${u.sampleRows.join('、')}${u.rows > u.sampleRows.length ? ' 等' : ''} 行)`;
    if (u.create)
      lines.push(
        `${u.label}「${u.value}」${where}, 不在${u.label}表中, ${opts.committed ? '已新增到' : '将新增到'}${u.label}表 (按要求新建缺失的值)`,
      );
    else if (u.inactive)
      lines.push(
        `${u.label}「${u.value}」${where}, 该${u.label}已停用; 请管理员在后台「${u.label}」重新启用, 或用 --map-value ${u.label}:${u.value}=其他名称 对应到在用的值`,
      );
    else
      lines.push(
        `${u.label}「${u.value}」${where}, 不在${u.label}表中${u.suggestion ? ` (是不是「${u.suggestion}」?)` : ''}`,
      );
  }
  const open = values.filter((u) => !u.create && !u.inactive);
  if (open.length) {
    const u = open[0]!;
    const target = u.suggestion ?? `${u.label}表中的名称`;
    lines.push(
      '可以这样处理 (任选其一):',
      `  1. 管理员在后台「${u.label}」里新增「${u.value}」;`,
      `  2. 或把「${u.value}」设为已有项「${target}」的别名 (后台「${u.label}」编辑该项的别名), 以后的文件都认得;`,
      `  3. 或这次导入时对应: --map-value ${u.label}:${u.value}=${target} (可重复, 每个值一条; 后台导入在「值对应」里每行写一条; 聊天里回复「映射 ${u.label}:${u.value}=${target}」);`,
      '  4. 管理员也可以加 --create-missing 自动新增表中没有的值 (聊天里回复「新建缺失」; 预检时会先列出将新增的值)。',
    );
  }
  return lines;
}
