import type Koa from 'koa';
import { DomainError, ERROR_STATUS, isDomainError, type ErrorCode } from '../core/errors.js';
import type { JsonSchema } from './types.js';

/** The one error body of the API: `{ error: { code, message (Chinese), details } }`. */
export const ERROR_SCHEMA: JsonSchema = {
  type: 'object',
  required: ['error'],
  additionalProperties: false,
  properties: {
    error: {
      type: 'object',
      required: ['code', 'message', 'details'],
      additionalProperties: false,
      properties: {
        code: {
          type: 'string',
          enum: [...Object.keys(ERROR_STATUS), 'INTERNAL'],
          description: '稳定的错误码, 程序据此判断',
        },
        message: { type: 'string', description: '中文说明: 哪里不对、怎样改' },
        details: { type: 'object', description: '机器可读的细节, 例如 errors: [{ field, message }]' },
      },
    },
  },
};

/** A refusal with one of the shared codes (HTTP status from ERROR_STATUS). */
export function apiError(code: ErrorCode, message: string, details: Record<string, unknown> = {}): DomainError {
  return new DomainError(code, message, details);
}

export interface ErrorAnswer {
  status: number;
  body: { error: { code: string; message: string; details: Record<string, unknown> } };
  headers: Record<string, string>;
}

/** Headers an error carries (WWW-Authenticate, Retry-After, Allow), taken from its details. */
function errorHeaders(err: DomainError): Record<string, string> {
  const h: Record<string, string> = {};
  if (err.code === 'UNAUTHORIZED') h['WWW-Authenticate'] = String(err.details.challenge ?? 'Bearer realm="steward"');
  if (err.code === 'RATE_LIMITED') h['Retry-After'] = String(err.details.retryAfterSeconds ?? 1);
  if (err.code === 'METHOD_NOT_ALLOWED') h.Allow = ((err.details.allowed as string[] | undefined) ?? []).join(', ');
  return h;
}

/**
 * Turns anything thrown under /api into the one error shape. Domain errors keep their code and
 * Chinese message; anything else is our fault: logged with its stack, answered with a plain 500.
 */
export function toErrorAnswer(err: unknown, log: { error(obj: object, msg: string): void }): ErrorAnswer {
  if (isDomainError(err)) {
    const { challenge: _c, ...details } = err.details;
    return {
      status: err.status,
      body: { error: { code: err.code, message: err.message, details } },
      headers: errorHeaders(err),
    };
  }
  log.error({ err }, 'api: unhandled error');
  return {
    status: 500,
    body: {
      error: {
        code: 'INTERNAL',
        message: '服务器内部错误, 已记录日志。请稍后重试; 如果一直出现, 请把响应头里的 X-Request-Id 发给管理员。',
        details: {},
      },
    },
    headers: {},
  };
}

/** Writes an answer to Koa. */
export function send(ctx: Koa.Context, status: number, body: unknown, headers: Record<string, string> = {}): void {
  ctx.status = status;
  for (const [k, v] of Object.entries(headers)) ctx.set(k, v);
  ctx.body = body;
  // Stored answers are replayed as their JSON text; Koa would call a string text/plain.
  if (typeof body === 'string') ctx.type = 'application/json';
}
