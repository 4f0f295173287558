import type { ActionContext, ActionRequest, ActionResponse, RecordJSON } from 'adminjs';
import type { Core } from '../../core/context.js';
import { isDomainError } from '../../core/errors.js';
import { checkOperatorInput, saveOperator, type OperatorForm } from '../../core/operators.js';
import { adminActor } from '../auth/session.js';
import { fieldErrors, freshRecord, refusal } from '../features/core-errors.js';
import { permit } from '../features/permissions.js';

/** AdminJS sends a cleared field as this marker. */
const FORM_NULL = '__FORM_VALUE_NULL__';

/** Reads the operator form; core checks it (core/operators/save.ts) and reports every problem at once. */
export function parseOperatorForm(payload: Record<string, unknown>, creating: boolean): OperatorForm {
  return checkOperatorInput(
    Object.fromEntries(Object.entries(payload).map(([k, v]) => [k, v === FORM_NULL ? null : v])),
    creating,
  );
}

async function save(core: Core, request: ActionRequest, context: ActionContext): Promise<ActionResponse> {
  const actor = adminActor(context.currentAdmin);
  const current = context.record;
  if (current && request.method !== 'post') return { record: current.toJSON(context.currentAdmin) };
  try {
    const row = await saveOperator(
      core,
      actor,
      current ? Number(current.id()) : null,
      parseOperatorForm(request.payload ?? {}, !current),
    );
    return {
      redirectUrl: context.h.resourceUrl({ resourceId: context.resource.id() }),
      notice: { message: `已保存操作员 ${row.displayName}`, type: 'success' },
      record: await freshRecord(context, row.id),
    };
  } catch (err) {
    if (!isDomainError(err)) throw err;
    const base = current?.toJSON(context.currentAdmin);
    const record = {
      ...(base ?? { id: '', title: '', populated: {}, recordActions: [], bulkActions: [], baseError: null }),
      params: { ...(base?.params ?? {}), ...(request.payload ?? {}), password: '' },
      errors: fieldErrors(err),
    } as RecordJSON;
    return refusal(err, record);
  }
}

/** 新建 / 编辑操作员 (admins only); deleting is replaced by deactivating (history keeps the name); chat accounts: 关联聊天账号. */
export function operatorActions(core: Core) {
  const layout = ['displayName', 'email', 'roles', 'password'];
  return {
    // New operators start active; 启用 is offered on edit only (an unticked box would read as 停用).
    new: {
      ...permit('manageOperators'),
      layout,
      handler: (request: ActionRequest, _r: unknown, context: ActionContext) => save(core, request, context),
    },
    edit: {
      ...permit('manageOperators'),
      layout: [...layout, 'active'],
      handler: (request: ActionRequest, _r: unknown, context: ActionContext) => save(core, request, context),
    },
  };
}
