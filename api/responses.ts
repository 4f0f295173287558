import { ERROR_SCHEMA } from './errors.js';
import type { ApiRoute, JsonSchema } from './types.js';

export type ResponseDoc = { description: string; schema?: JsonSchema };

const err = (description: string): ResponseDoc => ({ description, schema: ERROR_SCHEMA });

/** Methods that change data: they read a JSON body and honour Idempotency-Key. */
export function isMutating(method: string): boolean {
  return method === 'POST' || method === 'PUT' || method === 'PATCH';
}

/**
 * Every status an operation can answer: what the route declares, plus what the pipeline itself
 * may answer (authentication, scope, rate limit, body and parameter checks, idempotency).
 */
export function responsesOf(route: ApiRoute): Record<number, ResponseDoc> {
  const out: Record<number, ResponseDoc> = {
    401: err('缺少、无效、已吊销或已过期的访问令牌 (UNAUTHORIZED), 带 WWW-Authenticate 响应头'),
    403: err('令牌缺少此接口需要的权限范围 (NOT_PERMITTED), details.scope 给出缺少的范围'),
    429: err('请求太频繁 (RATE_LIMITED), 带 Retry-After 响应头 (秒)'),
    500: err('服务器内部错误 (INTERNAL)'),
  };
  if (route.params || route.query || route.body)
    out[422] = err('参数或请求体不符合要求 (VALIDATION), details.errors 逐个字段说明');
  if (isMutating(route.method)) {
    out[400] = err('请求体不是合法的 JSON (BAD_REQUEST)');
    out[409] = err(
      '同一 Idempotency-Key 的请求正在处理中 (IDEMPOTENCY_IN_PROGRESS), 请稍后重试; 或该键的请求中断、结果未知 (IDEMPOTENCY_OUTCOME_UNKNOWN), 请先查询再换新键',
    );
    out[413] = err('请求体超过 1 MB (PAYLOAD_TOO_LARGE)');
    out[415] = err('请求体不是 application/json (UNSUPPORTED_MEDIA_TYPE)');
    out[422] = err('请求体不符合要求 (VALIDATION), 或同一 Idempotency-Key 用于了不同的请求体 (IDEMPOTENCY_KEY_REUSED)');
  }
  for (const [status, doc] of Object.entries(route.responses)) {
    // A route that also answers a shared status describes it in its own words; the error schema stays.
    out[Number(status)] = doc;
  }
  return out;
}
