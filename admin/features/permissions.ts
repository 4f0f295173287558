import type { ActionContext, BaseRecord, CurrentAdmin } from 'adminjs';
import { can, type Action as CoreAction } from '../../core/permissions.js';
import { operatorOf } from '../auth/session.js';

type Gate = (context: ActionContext) => boolean;

/** Whether the logged-in operator may take a core action (the one permission table). */
export function allowed(current: CurrentAdmin | undefined | null, action: CoreAction): boolean {
  return can(operatorOf(current), action);
}

/**
 * `isAccessible` and `isVisible` from core's permission table, plus an optional record
 * condition for visibility only: an action hidden because of the record's state still reaches
 * core, which answers with its own message (e.g. 已经是停用状态).
 */
export function permit(
  action: CoreAction,
  visibleFor?: (record: BaseRecord) => boolean,
): { isAccessible: Gate; isVisible: Gate } {
  const isAccessible: Gate = ({ currentAdmin }) => allowed(currentAdmin, action);
  const isVisible: Gate = (context) =>
    isAccessible(context) && (!visibleFor || !context.record || visibleFor(context.record));
  return { isAccessible, isVisible };
}

/** An action nobody may use (AdminJS's generic writes where core owns the change). */
export const off = { isAccessible: false, isVisible: false } as const;

/** Built-in actions for a resource that is read in the back office and changed only through core. */
export function readOnly(view: CoreAction = 'view') {
  return {
    list: permit(view),
    show: permit(view),
    search: { isAccessible: permit(view).isAccessible },
    new: off,
    edit: off,
    delete: off,
    bulkDelete: off,
  };
}

/** The record's status param, for visibility conditions. */
export function statusIs(...statuses: string[]): (record: BaseRecord) => boolean {
  return (record) => statuses.includes(String(record.param('status')));
}
