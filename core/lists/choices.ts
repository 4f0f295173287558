import type { Actor, Core } from '../context.js';
import { assertCan } from '../permissions.js';
import { LIST_LABELS, ListSnapshot, type ListKey } from './lookup.js';

/** One option of a 客户分类 / 区域 drop-down. */
export interface ListChoice {
  value: string;
  label: string;
  /** False for the customer's current value when the list no longer offers it. */
  active: boolean;
}

/**
 * The options a customer form offers for a list: the active entries in display order. A value
 * the customer already holds stays offered (marked) even when its entry was deactivated or the
 * value predates the list, so opening and saving the form never changes it by accident; core's
 * resolveListFields still decides what may be saved.
 */
export async function listChoices(
  core: Core,
  actor: Actor,
  key: ListKey,
  current?: string | null,
): Promise<ListChoice[]> {
  assertCan(actor.operator, 'view');
  const lists = await ListSnapshot.load(core);
  const choices: ListChoice[] = lists.entries(key).map((e) => ({
    value: e.name,
    label: e.aliases.length ? `${e.name} (${e.aliases.join('、')})` : e.name,
    active: true,
  }));
  const kept = (current ?? '').trim();
  if (kept && !choices.some((c) => c.value === kept)) {
    const entry = lists.find(key, kept);
    const why = entry && !entry.active && entry.name === kept ? '已停用' : `不在${LIST_LABELS[key]}表中`;
    choices.push({ value: kept, label: `${kept} (${why}, 当前值)`, active: false });
  }
  return choices;
}
