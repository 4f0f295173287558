import type { Client } from '@larksuiteoapi/node-sdk';
import type { Logger } from '../../../core/logger.js';
import { ChannelSendError } from '../contract.js';
import type { FeishuSettings } from './config.js';
import { lark } from './sdk.js';

/** API calls give up after this long, so a Feishu that accepts and never answers cannot hold the outbox lane. */
export const API_TIMEOUT_MS = 10_000;

/**
 * The SDK's own axios instance has no timeout; this one does, and unwraps responses the same way
 * (the SDK expects `resp.data`, or `{data, headers}` when a call asks for headers).
 */
type HttpInstance = NonNullable<ConstructorParameters<typeof Client>[0]['httpInstance']>;
let sharedHttp: HttpInstance | undefined;
export const httpInstance = (): HttpInstance =>
  (sharedHttp ??= (() => {
    const http = lark().defaultHttpInstance.create({ timeout: API_TIMEOUT_MS });
    http.interceptors.response.use((resp) => {
      const wantsHeaders = (resp.config as { $return_headers?: boolean }).$return_headers;
      return (wantsHeaders ? { data: resp.data, headers: resp.headers } : resp.data) as typeof resp;
    });
    // The interceptor above makes calls resolve to the body, which is what the SDK's type says.
    return http as unknown as HttpInstance;
  })());

/**
 * The SDK logs whole axios errors (request bodies: message text, customer names) and connect URLs
 * with tickets. Only its plain strings and error messages reach our log, never objects.
 */
export function sdkLogger(log: Logger) {
  const text = (args: unknown[]) =>
    args
      .map((a) => (typeof a === 'string' ? a : a instanceof Error ? a.message : '[object]'))
      .join(' ')
      .slice(0, 300);
  return {
    error: (...args: unknown[]) => log.warn({ sdk: text(args) }, 'feishu sdk error'),
    warn: (...args: unknown[]) => log.warn({ sdk: text(args) }, 'feishu sdk warning'),
    info: (...args: unknown[]) => log.debug({ sdk: text(args) }, 'feishu sdk'),
    debug: () => undefined,
    trace: () => undefined,
  };
}

const clients = new Map<string, Client>();

/** One API client per app and domain (it caches the tenant_access_token). */
export function apiClient(s: FeishuSettings, log: Logger): Client {
  const key = `${s.appId}|${s.domain}|${s.appSecret}`;
  let client = clients.get(key);
  if (!client) {
    const { Client, DefaultCache, LoggerLevel } = lark();
    client = new Client({
      appId: s.appId,
      appSecret: s.appSecret,
      domain: s.domain,
      httpInstance: httpInstance(),
      cache: new DefaultCache(),
      logger: sdkLogger(log),
      loggerLevel: LoggerLevel.warn,
    });
    clients.set(key, client);
  }
  return client;
}

/** Forgets the cached client (and its token), e.g. after Feishu called the token invalid. */
export function dropClient(s: FeishuSettings): void {
  clients.delete(`${s.appId}|${s.domain}|${s.appSecret}`);
}

/** Feishu codes that say "later": rate limits (99991400 app-wide, 230020/11232/11233 per chat), server busy. */
const RETRYABLE_CODES = new Set([99991400, 230020, 11232, 11233, 1, 1000004, 1000005]);
/** The tenant_access_token was refused as invalid or expired: a fresh token may work. */
export const TOKEN_CODES = new Set([99991661, 99991663, 99991668]);

interface AxiosLike {
  isAxiosError?: boolean;
  code?: string;
  response?: { status?: number; data?: unknown };
}

/** A Feishu API body: `{code, msg, data}`. */
export interface ApiBody<T = Record<string, unknown>> {
  code?: number;
  msg?: string;
  data?: T;
}

function bodyCode(body: unknown): { code: number | null; msg: string } {
  if (!body || typeof body !== 'object') return { code: null, msg: '' };
  const b = body as ApiBody;
  return {
    code: typeof b.code === 'number' ? b.code : null,
    msg: typeof b.msg === 'string' ? b.msg.slice(0, 120) : '',
  };
}

/** A send failure as ChannelSendError: network, timeouts, 5xx, 429 and rate-limit codes may be retried; 4xx and permission codes not. */
export function sendError(what: string, err: unknown): ChannelSendError {
  if (err instanceof ChannelSendError) return err;
  const ax = err as AxiosLike;
  if (ax?.isAxiosError) {
    const status = ax.response?.status;
    if (status === undefined)
      return new ChannelSendError(`feishu ${what}: network error ${ax.code ?? ''}`.trim(), true);
    const { code, msg } = bodyCode(ax.response?.data);
    const retry =
      status >= 500 || status === 429 || (code !== null && (RETRYABLE_CODES.has(code) || TOKEN_CODES.has(code)));
    return new ChannelSendError(
      `feishu ${what}: HTTP ${status}${code !== null ? ` code ${code}` : ''} ${msg}`.trim(),
      retry,
    );
  }
  // The SDK's token manager: "failed to get tenant_access_token, code: 10014, msg: …".
  const message = err instanceof Error ? err.message : String(err);
  const token = /code: (\d+)/.exec(message);
  if (token)
    return new ChannelSendError(`feishu ${what}: ${message.slice(0, 160)}`, RETRYABLE_CODES.has(Number(token[1])));
  return new ChannelSendError(`feishu ${what}: ${message.slice(0, 160)}`, true);
}

/** Throws ChannelSendError for an HTTP-200 body whose code is not 0; returns `data`. */
export function checkBody<T>(what: string, body: unknown): T {
  const { code, msg } = bodyCode(body);
  if (code === 0) return ((body as ApiBody<T>).data ?? {}) as T;
  if (code === null) throw new ChannelSendError(`feishu ${what}: unexpected response`, true);
  throw new ChannelSendError(
    `feishu ${what}: code ${code} ${msg}`.trim(),
    RETRYABLE_CODES.has(code) || TOKEN_CODES.has(code),
  );
}
