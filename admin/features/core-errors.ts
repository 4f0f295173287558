import { populator, type ActionContext, type ActionRequest, type ActionResponse, type RecordJSON } from 'adminjs';
import type { Actor } from '../../core/context.js';
import { isDomainError, type DomainError } from '../../core/errors.js';
import { FIELD_LABELS } from '../../core/customers/schema.js';
import { adminActor } from '../auth/session.js';

type PropertyErrors = Record<string, { message: string; type?: string }>;

/** Field errors carried by a core refusal (VALIDATION lists them; CODE_* name the code field). */
export function fieldErrors(err: DomainError): PropertyErrors {
  const out: PropertyErrors = {};
  const list = (err.details.errors as { field: string; message: string }[] | undefined) ?? [];
  for (const e of list) out[e.field] = { message: e.message, type: err.code };
  if (typeof err.details.field === 'string') out[err.details.field] = { message: err.message, type: err.code };
  return out;
}

const LABELS: Record<string, string> = {
  ...FIELD_LABELS,
  displayName: '姓名',
  email: '登录邮箱',
  roles: '角色',
  password: '密码',
  channel: '渠道',
  externalId: '账号 ID',
  active: '启用',
  why: '查看原因',
  note: '备注',
};

/**
 * Core's message, with VALIDATION's field keys (memo, phone…) named as the form labels them. A
 * refusal core wrote as its own sentence (「请写明改编码的原因…」) is kept as it is: relabelling its
 * short field note would call 改编码's or 合并's `reason` the customer's 停用原因.
 */
export function refusalMessage(err: DomainError): string {
  const list = err.details.errors as { field: string; message: string }[] | undefined;
  if (err.code !== 'VALIDATION' || !list?.length || !err.message.startsWith('输入有误')) return err.message;
  return `输入有误 — ${list.map((e) => `${LABELS[e.field] ?? e.field}: ${e.message}`).join('; ')}`;
}

/**
 * A core refusal as AdminJS shows it: core's Chinese message as an error notice, field errors
 * on the form, and the code and details for clients. Status stays 200 so AdminJS's own screens
 * display the notice (it ignores the body of non-2xx answers).
 */
export function refusal(err: DomainError, record?: RecordJSON | null): ActionResponse {
  const errors = fieldErrors(err);
  return {
    notice: { message: refusalMessage(err), type: 'error' },
    error: { code: err.code, status: err.status, details: err.details },
    ...(record
      ? { record: { ...record, errors: { ...record.errors, ...errors } } }
      : {
          record: {
            params: {},
            populated: {},
            errors,
            id: '',
            title: '',
            recordActions: [],
            bulkActions: [],
            baseError: { message: refusalMessage(err), type: err.code },
          },
        }),
  };
}

export type CoreHandler = (request: ActionRequest, context: ActionContext, actor: Actor) => Promise<ActionResponse>;

/**
 * Wraps a handler that calls core: it gets the request's actor (door `admin`, the logged-in
 * operator) and core's refusals become notices. Anything else propagates and is logged as a 500.
 */
export function throughCore(handler: CoreHandler) {
  return async function coreAction(
    request: ActionRequest,
    _response: unknown,
    context: ActionContext,
  ): Promise<ActionResponse> {
    const actor = adminActor(context.currentAdmin);
    try {
      return await handler(request, context, actor);
    } catch (err) {
      if (!isDomainError(err)) throw err;
      return refusal(err, context.record?.toJSON(context.currentAdmin) ?? null);
    }
  };
}

/** A record after a change, reloaded and with its references filled, as the UI expects it. */
export async function freshRecord(context: ActionContext, id?: string | number): Promise<RecordJSON | null> {
  const recordId = id ?? context.record?.id();
  if (recordId === undefined) return null;
  const record = await context.resource.findOne(String(recordId), context);
  if (!record) return null;
  const [populated] = await populator([record], context);
  return populated!.toJSON(context.currentAdmin);
}

/** The text a form field holds, trimmed; null when absent or empty. */
export function text(payload: Record<string, unknown> | undefined, key: string): string | null {
  const v = payload?.[key];
  if (v === undefined || v === null) return null;
  const s = String(v).trim();
  return s === '' || s === '__FORM_VALUE_NULL__' ? null : s;
}
