import type { Transaction } from 'sequelize';
import type { Core } from '../context.js';
import { DomainError, validationError, type FieldError } from '../errors.js';
import { LIST_KEYS, ListSnapshot, type ListKey } from './lookup.js';

/** The customer fields whose values come from a company list (the field is named as the list). */
export const LIST_FIELDS: readonly ListKey[] = LIST_KEYS;

/**
 * Replaces 客户分类 / 区域 in validated input by the entry's name (an alias or other spelling
 * becomes the name); throws VALIDATION naming the valid values otherwise. A value the customer
 * already has may stay even after its entry was deactivated.
 */
export async function resolveListFields<T extends Partial<Record<ListKey, string | null>>>(
  core: Core,
  value: T,
  opts: { transaction?: Transaction; current?: Partial<Record<ListKey, string | null>>; lists?: ListSnapshot } = {},
): Promise<T> {
  if (!LIST_FIELDS.some((f) => typeof value[f] === 'string')) return value;
  const lists = opts.lists ?? (await ListSnapshot.load(core, opts.transaction));
  const errors: FieldError[] = [];
  const out = { ...value };
  for (const field of LIST_FIELDS) {
    const raw = value[field];
    if (typeof raw !== 'string') continue;
    const kept = opts.current?.[field];
    const r = lists.resolve(field, raw, { allowInactive: kept != null && lists.find(field, raw)?.name === kept });
    if (r.ok) (out as Record<string, unknown>)[field] = r.name;
    else errors.push({ field, message: r.message });
  }
  if (errors.length) throw validationError(errors);
  return out;
}

/** Search filters by 客户分类 / 区域: a name or alias → the stored name; deactivated entries still find their customers. */
export async function resolveListFilters(
  core: Core,
  filters: Partial<Record<ListKey, string | undefined>>,
): Promise<Partial<Record<ListKey, string>>> {
  const given = LIST_FIELDS.filter((f) => typeof filters[f] === 'string' && filters[f]!.trim());
  if (!given.length) return {};
  const lists = await ListSnapshot.load(core);
  const errors: FieldError[] = [];
  const out: Partial<Record<ListKey, string>> = {};
  for (const field of given) {
    const r = lists.resolve(field, filters[field]!, { allowInactive: true });
    if (r.ok) out[field] = r.name;
    else errors.push({ field, message: r.message });
  }
  if (errors.length) throw validationError(errors);
  return out;
}

/**
 * Runs a shape check (assertCreateInput / assertEditInput); when it refuses, the list fields'
 * problems join its errors, so a person sees every bad field at once.
 */
export async function withListErrors<T>(
  core: Core,
  input: Partial<Record<ListKey, unknown>>,
  check: () => T,
): Promise<T> {
  try {
    return check();
  } catch (err) {
    if (!(err instanceof DomainError) || err.code !== 'VALIDATION') throw err;
    const errors = (err.details.errors as FieldError[] | undefined) ?? [];
    const given = Object.fromEntries(
      LIST_FIELDS.filter((f) => typeof input[f] === 'string' && !errors.some((e) => e.field === f)).map((f) => [
        f,
        String(input[f]),
      ]),
    );
    if (!Object.keys(given).length) throw err;
    try {
      await resolveListFields(core, given);
    } catch (listErr) {
      if (listErr instanceof DomainError && listErr.code === 'VALIDATION')
        throw validationError([...errors, ...((listErr.details.errors as FieldError[]) ?? [])]);
      throw listErr;
    }
    throw err;
  }
}
