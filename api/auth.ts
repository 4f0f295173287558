import type Koa from 'koa';
import type { Core } from '../core/context.js';
import { apiActor, SCOPE_LABELS } from '../core/api/scopes.js';
import { verifyApiToken } from '../core/api/tokens.js';
import { apiError } from './errors.js';
import type { ApiCaller, Scope } from './types.js';

const REALM = 'Bearer realm="steward"';
const HOW = '令牌由管理员在后台「API 令牌」或用 steward api-token create 创建';

const REFUSALS = {
  malformed: '访问令牌无效: 请检查是否完整复制了令牌 (以 stw_ 开头, 共 47 个字符)。',
  unknown: '访问令牌无效: 没有这个令牌。请检查是否完整复制, 或向管理员申请新令牌。',
  revoked: '访问令牌已被吊销, 不能再使用。请向管理员申请新令牌。',
  expired: '访问令牌已过期。请向管理员申请新令牌。',
} as const;

/** The caller behind `Authorization: Bearer …`, or a 401 in the API's error shape. */
export async function authenticate(core: Core, ctx: Koa.Context, requestId: string): Promise<ApiCaller> {
  const header = ctx.get('authorization');
  const m = /^Bearer[ ]+(\S+)\s*$/i.exec(header);
  if (!m) {
    const message = header
      ? '请求头 Authorization 格式不对, 应为「Authorization: Bearer <令牌>」。'
      : `缺少访问令牌: 请在请求头加上「Authorization: Bearer <令牌>」。${HOW}。`;
    throw apiError('UNAUTHORIZED', message, { challenge: REALM });
  }
  const check = await verifyApiToken(core, m[1]!);
  if (!check.ok) {
    throw apiError('UNAUTHORIZED', REFUSALS[check.reason], {
      reason: check.reason,
      challenge: `${REALM}, error="invalid_token"`,
    });
  }
  return {
    tokenId: check.id,
    tokenName: check.name,
    scopes: check.scopes,
    actor: apiActor(check.name, check.scopes, requestId),
  };
}

/** 403 naming the missing scope, unless the caller has it. */
export function requireScope(caller: ApiCaller, scope: Scope): void {
  if (caller.scopes.includes(scope)) return;
  throw apiError(
    'NOT_PERMITTED',
    `令牌「${caller.tokenName}」没有「${scope}」权限 (${SCOPE_LABELS[scope]})。请让管理员创建带 ${scope} 的令牌。`,
    { scope, granted: caller.scopes },
  );
}

/**
 * A token bucket per token, in this process: API_RATE_LIMIT_PER_MINUTE requests a minute with
 * bursts up to that many. Each instance counts on its own, so N instances allow up to N times it.
 */
export class RateLimiter {
  private readonly buckets = new Map<number, { tokens: number; at: number }>();

  constructor(
    private readonly perMinute: () => number,
    private readonly now: () => number,
  ) {}

  /** Takes one request from the token's bucket; throws 429 with Retry-After when it is empty. */
  take(tokenId: number, tokenName: string): void {
    const limit = this.perMinute();
    const now = this.now();
    const b = this.buckets.get(tokenId) ?? { tokens: limit, at: now };
    // A clock stepped back (NTP) refills nothing rather than draining the bucket below zero.
    b.tokens = Math.min(limit, b.tokens + (Math.max(0, now - b.at) / 60_000) * limit);
    b.at = now;
    this.buckets.set(tokenId, b);
    if (b.tokens >= 1) {
      b.tokens -= 1;
      return;
    }
    const retryAfterSeconds = Math.max(1, Math.ceil(((1 - b.tokens) * 60) / limit));
    throw apiError(
      'RATE_LIMITED',
      `请求太频繁: 令牌「${tokenName}」每分钟最多 ${limit} 次请求。请 ${retryAfterSeconds} 秒后再试。`,
      { limitPerMinute: limit, retryAfterSeconds },
    );
  }
}
