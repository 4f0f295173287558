import type { ActionContext, ActionRequest, ActionResponse, RecordJSON } from 'adminjs';
import type { Actor, Core } from '../../core/context.js';
import { createCustomer } from '../../core/customers/create.js';
import { editCustomer } from '../../core/customers/edit.js';
import type { CustomerInput } from '../../core/customers/schema.js';
import { DomainError, isDomainError } from '../../core/errors.js';
import { adminActor } from '../auth/session.js';
import { fieldErrors, freshRecord, refusal } from '../features/core-errors.js';
import { permit, statusIs } from '../features/permissions.js';
import { permitOwned } from '../features/ownership.js';

const FIELDS = ['code', 'name', 'contact', 'phone', 'address', 'category', 'region', 'ownerId', 'note'] as const;
const NULL_MARK = '__FORM_VALUE_NULL__';

function raw(payload: Record<string, unknown>, key: string): string | null | undefined {
  const v = payload[key];
  if (v === undefined) return undefined;
  if (v === null || v === NULL_MARK) return null;
  return String(v);
}

const KEEP = Symbol('keep');

/** What one submitted field asks core for; a blank phone, address or code is KEEP (the stored value stays). */
function submittedValue(key: (typeof FIELDS)[number], value: string | null): unknown {
  if (value !== null && value.trim() !== '') return key === 'ownerId' ? Number(value) : value;
  if (key === 'phone' || key === 'address' || key === 'code') return KEEP;
  return key === 'name' ? '' : null;
}

/**
 * The customer fields a form submitted, as core input. On edit only changed fields are sent,
 * and an empty phone or address means "keep" (the form never holds the plaintext).
 */
export function formInput(payload: Record<string, unknown>, current?: Record<string, unknown>): CustomerInput {
  const input: Record<string, unknown> = {};
  for (const key of FIELDS) {
    const value = raw(payload, key);
    if (value === undefined) continue;
    const next = submittedValue(key, value);
    if (next === KEEP) continue;
    if (current && (current[key] ?? null) === next) continue;
    input[key] = next;
  }
  return input as CustomerInput;
}

function showUrl(context: ActionContext, id: string | number): string {
  return context.h.recordActionUrl({ resourceId: context.resource.id(), recordId: String(id), actionName: 'show' });
}

/** The form's own values with core's field errors, so the user sees what to fix in place. */
function formRefusal(
  err: DomainError,
  request: ActionRequest,
  context: ActionContext,
  extra: Record<string, { message: string }> = {},
): ActionResponse {
  const base = context.record?.toJSON(context.currentAdmin);
  const record = {
    ...(base ?? { id: '', title: '', populated: {}, recordActions: [], bulkActions: [], baseError: null }),
    params: { ...(base?.params ?? {}), ...(request.payload ?? {}) },
    errors: {},
  } as RecordJSON;
  const response = refusal(err, record) as ActionResponse & { record: RecordJSON };
  response.record.errors = { ...fieldErrors(err), ...extra };
  return response;
}

async function create(
  core: Core,
  request: ActionRequest,
  context: ActionContext,
  actor: Actor,
): Promise<ActionResponse> {
  const payload = request.payload ?? {};
  const allowDuplicates = payload.allowDuplicates === true || payload.allowDuplicates === 'true';
  try {
    const { customer } = await createCustomer(core, actor, formInput(payload), { allowDuplicates });
    return {
      redirectUrl: showUrl(context, customer.id),
      notice: { message: `已新建客户 ${customer.code} ${customer.name}`, type: 'success' },
      record: await freshRecord(context, customer.id),
    };
  } catch (err) {
    if (!isDomainError(err)) throw err;
    const hint: Record<string, { message: string }> =
      err.code === 'CONFLICT' && err.details.duplicates
        ? { allowDuplicates: { message: '确认不是同一客户后勾选此项, 再保存' } }
        : {};
    return formRefusal(err, request, context, hint);
  }
}

async function edit(core: Core, request: ActionRequest, context: ActionContext, actor: Actor): Promise<ActionResponse> {
  const record = context.record!;
  if (request.method !== 'post') return { record: record.toJSON(context.currentAdmin) };
  const payload = request.payload ?? {};
  const version = Number(payload.version ?? record.param('version'));
  try {
    const input = formInput(payload, record.params);
    if (!Object.keys(input).length) {
      return {
        record: record.toJSON(context.currentAdmin),
        redirectUrl: showUrl(context, record.id()),
        notice: { message: '没有修改任何字段。', type: 'info' },
      };
    }
    const { customer, changes } = await editCustomer(core, actor, String(record.param('code')), { ...input, version });
    return {
      redirectUrl: showUrl(context, customer.id),
      notice: { message: `已保存客户 ${customer.code}: 修改了 ${Object.keys(changes).length} 个字段`, type: 'success' },
      record: await freshRecord(context, customer.id),
    };
  } catch (err) {
    if (!isDomainError(err)) throw err;
    return formRefusal(err, request, context);
  }
}

/** 新建 and 编辑 of AdminJS, rewired to core's createCustomer and editCustomer. */
export function customerCrudActions(core: Core) {
  return {
    new: {
      ...permit('create'),
      layout: [
        'code',
        'name',
        'contact',
        'phone',
        'address',
        'category',
        'region',
        'ownerId',
        'note',
        'allowDuplicates',
      ],
      handler: async (request: ActionRequest, _response: unknown, context: ActionContext) => {
        if (request.method !== 'post') throw new DomainError('VALIDATION', '新建客户请提交表单 (POST)。');
        return create(core, request, context, adminActor(context.currentAdmin));
      },
    },
    edit: {
      ...permitOwned(core, 'edit', 'edit', statusIs('active', 'inactive')),
      layout: ['code', 'name', 'contact', 'phone', 'address', 'category', 'region', 'ownerId', 'note'],
      handler: async (request: ActionRequest, _response: unknown, context: ActionContext) =>
        edit(core, request, context, adminActor(context.currentAdmin)),
    },
  };
}
