import type { Transaction } from 'sequelize';
import type { ListEntry } from '../../models/index.js';
import { withTransaction } from '../../models/tx.js';
import { appendAudit } from '../audit.js';
import type { Actor, Core } from '../context.js';
import { DomainError, validationError, type FieldError } from '../errors.js';
import { assertCan } from '../permissions.js';
import {
  LIST_KEYS,
  LIST_LABELS,
  ListSnapshot,
  normalizeListValue,
  toItem,
  type ListItem,
  type ListKey,
} from './lookup.js';

/** What an admin may set on an entry; absent fields stay as they are. */
export interface ListEntryForm {
  code?: string;
  name?: string;
  /** Other names for the entry, as a list or as text separated by 、 , ， ; or new lines. */
  aliases?: string[] | string;
  active?: boolean;
  sort?: number;
}

/** Entries of a list, in display order (anyone who may view customers may read them). */
export async function listEntries(
  core: Core,
  actor: Actor,
  key: ListKey,
  opts: { includeInactive?: boolean } = {},
): Promise<ListItem[]> {
  assertCan(actor.operator, 'view');
  return (await ListSnapshot.load(core)).entries(key, opts);
}

export function checkListKey(key: string): ListKey {
  if ((LIST_KEYS as readonly string[]).includes(key)) return key as ListKey;
  throw new DomainError(
    'VALIDATION',
    `没有「${key}」这个列表; 可以是: ${LIST_KEYS.map((k) => `${k} (${LIST_LABELS[k]})`).join('、')}。`,
    { field: 'listKey' },
  );
}

function splitAliases(raw: string[] | string): string[] {
  const parts = Array.isArray(raw) ? raw : String(raw).split(/[、,，;；\n]+/);
  const seen = new Set<string>();
  return parts
    .map((a) => String(a).trim())
    .filter((a) => a && !seen.has(normalizeListValue(a)) && seen.add(normalizeListValue(a)));
}

interface CheckedForm {
  name: string;
  code: string | null;
  aliases: string[];
}

/** The form's values over the entry's current ones: trimmed name, code (null: generate one), aliases other than the name. */
function formValues(self: ListItem | null, form: ListEntryForm): CheckedForm {
  const name = form.name !== undefined ? String(form.name).trim() : (self?.name ?? '');
  const code = form.code !== undefined && String(form.code).trim() ? String(form.code).trim() : null;
  const aliases = splitAliases(form.aliases ?? self?.aliases ?? []).filter(
    (a) => normalizeListValue(a) !== normalizeListValue(name),
  );
  return { name, code, aliases };
}

/** Lengths and formats. */
function shapeErrors(label: string, v: CheckedForm): FieldError[] {
  const errors: FieldError[] = [];
  if (!v.name || v.name.length > 50) errors.push({ field: 'name', message: `${label}名称必填, 最多 50 个字` });
  if (v.code && !/^[A-Za-z0-9_-]{1,32}$/.test(v.code))
    errors.push({ field: 'code', message: '编码为 1–32 位字母、数字、- 或 _, 留空自动生成' });
  if (JSON.stringify(v.aliases).length > 1000)
    errors.push({ field: 'aliases', message: '别名太多了 (合计最多约 1000 个字符)' });
  return errors;
}

/** A name, alias or code that already means another entry of the list. */
function clashErrors(lists: ListSnapshot, key: ListKey, self: ListItem | null, v: CheckedForm): FieldError[] {
  const label = LIST_LABELS[key];
  const errors: FieldError[] = [];
  const taken = (text: string) => {
    const other = lists.find(key, text);
    return other && other.id !== self?.id ? other : null;
  };
  const byName = v.name ? taken(v.name) : null;
  if (byName)
    errors.push({
      field: 'name',
      message: `「${v.name}」已是${label}「${byName.name}」${byName.name === v.name ? '' : '的别名'}; 换一个名称, 或去改那一项`,
    });
  for (const a of v.aliases) {
    const other = taken(a);
    if (other)
      errors.push({ field: 'aliases', message: `别名「${a}」已属于${label}「${other.name}」, 同一个词只能代表一项` });
  }
  if (v.code && lists.entries(key, { includeInactive: true }).some((e) => e.code === v.code && e.id !== self?.id))
    errors.push({ field: 'code', message: `编码「${v.code}」已被占用` });
  return errors;
}

/** Checks a form against the list: names and aliases must not mean another entry. */
function checkForm(lists: ListSnapshot, key: ListKey, self: ListItem | null, form: ListEntryForm): CheckedForm {
  const v = formValues(self, form);
  const errors = [...shapeErrors(LIST_LABELS[key], v), ...clashErrors(lists, key, self, v)];
  if (errors.length) throw validationError(errors);
  return v;
}

async function nextCode(core: Core, key: ListKey, t: Transaction): Promise<string> {
  const codes = await core.models.ListEntry.findAll({ where: { listKey: key }, attributes: ['code'], transaction: t });
  const max = codes.reduce((m, r) => (/^\d+$/.test(r.code) ? Math.max(m, Number(r.code)) : m), 0);
  return String(max + 1).padStart(2, '0');
}

/** The checked aliases, plus the old name after a rename (so files and habits that use it keep working). */
function aliasesAfter(checked: CheckedForm, renamed: string | null): string[] {
  return renamed && !checked.aliases.some((a) => normalizeListValue(a) === normalizeListValue(renamed))
    ? [...checked.aliases, renamed]
    : checked.aliases;
}

/** The columns to write: a new entry always gets a code (generated when left empty); active and sort only when given. */
async function entryValues(
  core: Core,
  key: ListKey,
  row: ListEntry | null,
  v: { checked: CheckedForm; aliases: string[]; form: ListEntryForm },
  t: Transaction,
) {
  const { checked, form } = v;
  return {
    name: checked.name,
    aliases: JSON.stringify(v.aliases),
    ...(checked.code || !row ? { code: checked.code ?? (await nextCode(core, key, t)) } : {}),
    ...(form.active !== undefined ? { active: Boolean(form.active) } : {}),
    ...(form.sort !== undefined && Number.isFinite(Number(form.sort)) ? { sort: Math.trunc(Number(form.sort)) } : {}),
  };
}

/** Updates the entry, or creates it at the end of the list unless a sort was given. */
async function writeEntry(
  core: Core,
  key: ListKey,
  row: ListEntry | null,
  values: Awaited<ReturnType<typeof entryValues>>,
  lists: ListSnapshot,
  t: Transaction,
): Promise<ListEntry> {
  if (row) return row.update(values, { transaction: t });
  const sort =
    values.sort ?? lists.entries(key, { includeInactive: true }).reduce((m, e) => Math.max(m, e.sort), 0) + 10;
  return core.models.ListEntry.create(
    { listKey: key, active: true, ...values, code: values.code!, sort },
    { transaction: t },
  );
}

/**
 * Adds an entry (id null) or changes one, in one transaction with its audit event. A rename
 * moves every customer carrying the old name to the new one, and the old name becomes an alias,
 * so files and habits that use it keep working.
 */
export async function saveListEntry(
  core: Core,
  actor: Actor,
  rawKey: string,
  id: number | null,
  form: ListEntryForm,
  outer?: Transaction,
): Promise<{ entry: ListItem; movedCustomers: number }> {
  assertCan(actor.operator, 'manageLists');
  const key = checkListKey(rawKey);
  return withTransaction(
    core.models.sequelize,
    async (t) => {
      const row = id
        ? await core.models.ListEntry.findOne({ where: { id, listKey: key }, transaction: t, lock: t.LOCK.UPDATE })
        : null;
      if (id && !row) throw new DomainError('NOT_FOUND', `找不到${LIST_LABELS[key]} #${id}。`);
      const lists = await ListSnapshot.load(core, t);
      const self = row ? toItem(row) : null;
      const checked = checkForm(lists, key, self, form);
      const renamed = self && checked.name !== self.name ? self.name : null;
      const aliases = aliasesAfter(checked, renamed);
      const values = await entryValues(core, key, row, { checked, aliases, form }, t);
      const saved = await writeEntry(core, key, row, values, lists, t);
      const movedCustomers = renamed ? await moveCustomers(core, key, renamed, checked.name, t) : 0;
      await appendAudit(core, t, actor, {
        action: row ? 'list.edit' : 'list.create',
        before: self ? { name: self.name, aliases: self.aliases, active: self.active } : null,
        after: { name: saved.name, aliases, active: saved.active },
        info: { list: key, entryId: saved.id, movedCustomers },
      });
      return { entry: toItem(saved), movedCustomers };
    },
    outer,
  );
}

/** Customers carrying the old name take the new one (version bumped: open edit forms must reload). */
async function moveCustomers(core: Core, key: ListKey, from: string, to: string, t: Transaction): Promise<number> {
  const { Customer, sequelize } = core.models;
  const [moved] = await Customer.update({ [key]: to, version: sequelize.literal('version + 1') } as never, {
    where: { [key]: from } as never,
    transaction: t,
  });
  return moved;
}

/** Adds entries for values an import did not find (`--create-missing`), inside the import's transaction. */
export async function createMissingEntries(
  core: Core,
  actor: Actor,
  key: ListKey,
  names: string[],
  t: Transaction,
): Promise<ListItem[]> {
  const out: ListItem[] = [];
  for (const name of names) out.push((await saveListEntry(core, actor, key, null, { name }, t)).entry);
  return out;
}
