import type Koa from 'koa';
import { isDomainError } from '../../core/errors.js';
import { DATABASE_UNAVAILABLE_TEXT, isDatabaseUnavailable } from '../../models/tx.js';

/**
 * Maps errors to responses in one place: domain errors keep their status and Chinese message,
 * deliberate HTTP errors (4xx with `expose`) keep theirs, anything else is a logged 500.
 */
export function errorResponder(): Koa.Middleware {
  return async function errorResponder(ctx, next) {
    try {
      await next();
    } catch (err) {
      const log = ctx.state.log ?? console;
      if (isDomainError(err)) {
        ctx.status = err.status;
        ctx.body = { error: { code: err.code, message: err.message, details: err.details } };
        log.info({ code: err.code }, 'request refused');
        return;
      }
      const e = err as { status?: number; expose?: boolean; message?: string };
      if (e.status && e.status < 500 && e.expose !== false) {
        ctx.status = e.status;
        ctx.body = { error: { code: 'BAD_REQUEST', message: e.message ?? '请求无效' } };
        log.warn({ status: e.status, err: e.message }, 'bad request');
        return;
      }
      if (isDatabaseUnavailable(err)) {
        // A dead node or lost connection: an outage the client can retry, not a bug.
        ctx.status = 503;
        ctx.set('Retry-After', '5');
        ctx.body = { error: { code: 'DATABASE_UNAVAILABLE', message: DATABASE_UNAVAILABLE_TEXT } };
        log.warn({ err: (err as Error).message }, 'database unavailable');
        return;
      }
      log.error({ err }, 'unhandled error');
      ctx.status = 500;
      ctx.body = { error: { code: 'INTERNAL', message: '服务器内部错误, 已记录日志, 请稍后再试或联系管理员。' } };
    }
  };
}
