import crypto from 'node:crypto';
import type Koa from 'koa';
import type { ValidateFunction } from 'ajv';
import { claimIdempotency, finishIdempotency, releaseIdempotency } from '../core/api/idempotency.js';
import { validationError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import { authenticate, RateLimiter, requireScope } from './auth.js';
import { parseJsonBody, readRawBody } from './body.js';
import { apiError, ERROR_SCHEMA, send, toErrorAnswer } from './errors.js';
import { isMutating, responsesOf } from './responses.js';
import type { ApiDeps, ApiRequest, ApiRoute } from './types.js';
import { check, compile } from './validate.js';

/** Where the versioned API lives. */
export const API_BASE = '/api/v1';

interface Answer {
  status: number;
  body: unknown;
  headers: Record<string, string>;
}

interface Compiled {
  route: ApiRoute;
  pattern: RegExp;
  keys: string[];
  params?: ValidateFunction;
  query?: ValidateFunction;
  body?: ValidateFunction;
  /** status → the body check (null: documented without a body). */
  responses: Map<number, ValidateFunction | null>;
}

export interface RegistryOptions {
  /**
   * Tests: check every answer against the operation's documented schema for its status. An
   * undocumented status or a body that does not match becomes a 500 and is kept in `violations`.
   */
  checkResponses?: boolean;
}

const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,191}$/;

function compilePath(path: string): { pattern: RegExp; keys: string[] } {
  const keys: string[] = [];
  const source = path
    .split('/')
    .map((segment) => {
      const m = /^\{(\w+)\}$/.exec(segment);
      if (!m) return segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      keys.push(m[1]!);
      return '([^/]+)';
    })
    .join('/');
  return { pattern: new RegExp(`^${source}$`), keys };
}

let errorCheck: ValidateFunction | null = null;

/**
 * The API's routes as data: one place turns each ApiRoute into request handling (token, scope,
 * rate limit, body, validation, idempotency, one error shape) and, in openapi.ts, into its
 * OpenAPI operation, from the same schemas.
 */
export class ApiRegistry {
  readonly violations: string[] = [];
  /** operationId → statuses answered (tests check every operation was exercised). */
  readonly exercised = new Map<string, Set<number>>();
  private readonly compiled: Compiled[];
  private readonly limiter: RateLimiter;

  constructor(
    readonly routes: ApiRoute[],
    private readonly deps: ApiDeps,
    private readonly opts: RegistryOptions = {},
  ) {
    const ids = new Set<string>();
    const paths = new Set<string>();
    this.compiled = routes.map((route) => {
      if (ids.has(route.operationId)) throw new Error(`API route operationId used twice: ${route.operationId}`);
      if (paths.has(`${route.method} ${route.path}`))
        throw new Error(`API route defined twice: ${route.method} ${route.path}`);
      ids.add(route.operationId);
      paths.add(`${route.method} ${route.path}`);
      const responses = new Map<number, ValidateFunction | null>();
      for (const [status, doc] of Object.entries(responsesOf(route)))
        responses.set(Number(status), doc.schema ? compile(doc.schema) : null);
      return {
        route,
        ...compilePath(route.path),
        responses,
        params: route.params ? compile(route.params, true) : undefined,
        query: route.query ? compile(route.query, true) : undefined,
        body: route.body ? compile(route.body) : undefined,
      };
    });
    const { core } = deps;
    this.limiter = new RateLimiter(
      () => core.config.API_RATE_LIMIT_PER_MINUTE,
      () => core.now().getTime(),
    );
  }

  /** Answers one request under API_BASE; never throws (every failure is an answer in the error shape). */
  async dispatch(ctx: Koa.Context): Promise<void> {
    const log: Logger = ctx.state.log ?? this.deps.core.logger;
    const rel = ctx.path.slice(API_BASE.length) || '/';
    let found: { c: Compiled; params: Record<string, string> } | null = null;
    let answer: Answer;
    try {
      found = this.find(ctx.method, rel);
      answer = await this.run(ctx, found.c, found.params, log);
    } catch (err) {
      answer = toErrorAnswer(err, log);
    }
    if (this.opts.checkResponses) answer = this.checked(found?.c ?? null, `${ctx.method} ${rel}`, answer);
    // A hot read path's own answers go unlogged; auth refusals, rate limits and failures still log.
    if (found?.c.route.quiet && answer.status in found.c.route.responses) ctx.state.quietLog = true;
    send(ctx, answer.status, answer.body, answer.headers);
  }

  private find(method: string, rel: string): { c: Compiled; params: Record<string, string> } {
    const allowed: string[] = [];
    for (const c of this.compiled) {
      const m = c.pattern.exec(rel);
      if (!m) continue;
      if (c.route.method !== method) {
        allowed.push(c.route.method);
        continue;
      }
      const params: Record<string, string> = {};
      try {
        c.keys.forEach((k, i) => (params[k] = decodeURIComponent(m[i + 1]!)));
      } catch {
        throw apiError('BAD_REQUEST', '路径里有无法解码的字符 (URL 编码不对)。', { path: rel });
      }
      return { c, params };
    }
    if (allowed.length)
      throw apiError('METHOD_NOT_ALLOWED', `${rel} 不支持 ${method}, 可用: ${allowed.join(', ')}。`, { allowed });
    throw apiError(
      'NOT_FOUND',
      `没有这个接口: ${method} ${API_BASE}${rel}。全部接口见 /api/docs 或 ${API_BASE}/openapi.json。`,
      { method, path: `${API_BASE}${rel}` },
    );
  }

  private async run(ctx: Koa.Context, c: Compiled, params: Record<string, string>, log: Logger): Promise<Answer> {
    const { core } = this.deps;
    const requestId: string = ctx.state.requestId ?? '';
    const caller = await authenticate(core, ctx, requestId);
    requireScope(caller, c.route.scope);
    this.limiter.take(caller.tokenId, caller.tokenName);
    const mutating = isMutating(ctx.method);
    const raw = mutating ? await readRawBody(ctx) : '';
    let body = mutating ? parseJsonBody(ctx, raw) : undefined;
    if (c.params) check('路径参数', c.params, params);
    const query: Record<string, unknown> = c.query ? { ...ctx.query } : {};
    if (c.query) check('查询参数', c.query, query);
    if (c.body) {
      body ??= {};
      check('请求体', c.body, body);
    }
    const req: ApiRequest = {
      params,
      query,
      body,
      headers: ctx.headers as Record<string, string | undefined>,
      caller,
      requestId,
      log,
    };
    const key = ctx.get('idempotency-key');
    if (!mutating || !key) return this.invoke(c, req, log);
    return this.runOnce(ctx, c, req, { key, raw });
  }

  /** A mutating call with an Idempotency-Key: replays the stored answer, or runs and stores it. */
  private async runOnce(
    ctx: Koa.Context,
    c: Compiled,
    req: ApiRequest,
    { key, raw }: { key: string; raw: string },
  ): Promise<Answer> {
    const { core } = this.deps;
    const { caller, log } = req;
    if (!IDEMPOTENCY_KEY.test(key))
      throw validationError([
        { field: 'Idempotency-Key', message: 'Idempotency-Key 应为 1–191 个可见 ASCII 字符, 例如一个 UUID' },
      ]);
    const requestHash = crypto
      .createHash('sha256')
      .update(`${ctx.method} ${ctx.path}?${ctx.querystring}\n${raw}`)
      .digest('hex');
    const claim = await claimIdempotency(core, {
      tokenId: caller.tokenId,
      key,
      method: ctx.method,
      path: ctx.path,
      requestHash,
    });
    if (claim.kind === 'replay') {
      const stored = JSON.parse(claim.body) as { headers: Record<string, string>; body: unknown };
      return { status: claim.status, body: stored.body, headers: { ...stored.headers, 'Idempotent-Replayed': 'true' } };
    }
    const answer = await this.invoke(c, req, log);
    try {
      // Our own failures are not kept: a retry with the same key runs again.
      if (answer.status >= 500) await releaseIdempotency(core, claim.id);
      else
        await finishIdempotency(
          core,
          claim.id,
          answer.status,
          JSON.stringify({ headers: answer.headers, body: answer.body }),
        );
    } catch (err) {
      log.error({ err }, 'api: idempotency record not stored');
    }
    return answer;
  }

  /** Runs the handler; a refusal it throws becomes the answer (so idempotency keeps it too). */
  private async invoke(c: Compiled, req: ApiRequest, log: Logger): Promise<Answer> {
    try {
      const r = await c.route.handler(req, this.deps);
      return { status: r.status ?? 200, body: r.body, headers: r.headers ?? {} };
    } catch (err) {
      return toErrorAnswer(err, log);
    }
  }

  private checked(c: Compiled | null, what: string, answer: Answer): Answer {
    const id = c?.route.operationId ?? '(no route)';
    if (c) {
      const seen = this.exercised.get(id) ?? new Set<number>();
      seen.add(answer.status);
      this.exercised.set(id, seen);
    }
    const validate = c ? c.responses.get(answer.status) : (errorCheck ??= compile(ERROR_SCHEMA));
    let problem: string | null = null;
    if (validate === undefined) problem = `status ${answer.status} is not documented`;
    else if (validate && !validate(answer.body))
      problem = `body does not match the documented schema: ${JSON.stringify(validate.errors?.slice(0, 3))}`;
    else if (answer.status >= 500) problem = `answered ${answer.status}: ${JSON.stringify(answer.body)}`;
    if (!problem) return answer;
    const text = `${id} (${what}) ${problem}`;
    this.violations.push(text);
    return {
      status: 500,
      headers: {},
      body: { error: { code: 'INTERNAL', message: `响应与接口文档不符: ${text}`, details: { original: answer.body } } },
    };
  }
}
