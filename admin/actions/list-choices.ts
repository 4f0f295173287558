import type { Core } from '../../core/context.js';
import { listChoices } from '../../core/lists/choices.js';
import { checkListKey } from '../../core/lists/manage.js';
import { throughCore } from '../features/core-errors.js';
import { permit } from '../features/permissions.js';

function query(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

/**
 * The options of the 客户分类 / 区域 drop-downs on the customer form, read live from the company
 * lists (they change at run time, so they cannot be fixed in the resource options).
 * `GET …/actions/listChoices?list=category&current=<the value the customer has now>`.
 */
export function listChoicesAction(core: Core) {
  const { isAccessible } = permit('view');
  return {
    listChoices: {
      actionType: 'resource' as const,
      isAccessible,
      isVisible: false,
      handler: throughCore(async (request, _context, actor) => {
        const q = (request.query ?? {}) as Record<string, unknown>;
        return { choices: await listChoices(core, actor, checkListKey(query(q.list)), query(q.current)) };
      }),
    },
  };
}
