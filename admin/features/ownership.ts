import type { ActionContext, BaseRecord } from 'adminjs';
import type { Core } from '../../core/context.js';
import { ownerMay, type OwnerAction } from '../../core/customers/ownership.js';
import type { Action as CoreAction } from '../../core/permissions.js';
import { operatorOf } from '../auth/session.js';
import { permit } from './permissions.js';

/** The record's owner id (a form param is text, or empty for none). */
function ownerOf(record: BaseRecord): number | null {
  const raw = record.param('ownerId');
  return raw === null || raw === undefined || raw === '' ? null : Number(raw);
}

/**
 * permit() plus core's ownership rule for visibility: a salesperson limited to their own
 * customers does not see the action on a colleague's customer. Access stays the role table's, so
 * a hand-made request still reaches core and gets its NOT_PERMITTED message.
 */
export function permitOwned(
  core: Core,
  action: CoreAction,
  owned: OwnerAction,
  visibleFor?: (record: BaseRecord) => boolean,
) {
  const base = permit(action, visibleFor);
  const isVisible = (context: ActionContext) =>
    base.isVisible(context) &&
    (!context.record || ownerMay(core, operatorOf(context.currentAdmin), { ownerId: ownerOf(context.record) }, owned));
  return { isAccessible: base.isAccessible, isVisible };
}
