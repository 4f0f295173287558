import { populator, type ActionContext, type ActionRequest, type ActionResponse, type RecordJSON } from 'adminjs';
import type { Actor } from '../../core/context.js';
import { isDomainError, type DomainError } from '../../core/errors.js';
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

/**
 * A core refusal as AdminJS shows it: core's Chinese message as an error notice, field errors
 * on the form, and the code and details for clients. Status stays 200 so AdminJS's own screens
 * display the notice (it ignores the body of non-2xx answers).
 */
export function refusal(err: DomainError, record?: RecordJSON | null): ActionResponse {
  const errors = fieldErrors(err);
  return {
    notice: { message: err.message, type: 'error' },
    error: { code: err.code, status: err.status, details: err.details },
    ...(record ? { record: { ...record, errors: { ...record.errors, ...errors } } } : { record: { params: {}, populated: {}, errors, id: '', title: '', recordActions: [], bulkActions: [], baseError: { message: err.message, type: err.code } } }),
  };
}

export type CoreHandler = (request: ActionRequest, context: ActionContext, actor: Actor) => Promise<ActionResponse>;

/**
 * Wraps a handler that calls core: it gets the request's actor (door `admin`, the logged-in
 * operator) and core's refusals become notices. Anything else propagates and is logged as a 500.
 */
export function throughCore(handler: CoreHandler) {
  return async function coreAction(request: ActionRequest, _response: unknown, context: ActionContext): Promise<ActionResponse> {
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
