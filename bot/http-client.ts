import { ChannelSendError } from './channels/contract.js';

/** Raised when a messenger API call fails for good; `retryable` says whether a later try may work. */
export class ApiError extends Error {
  constructor(
    message: string,
    readonly retryable: boolean,
    readonly errcode?: number | string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export interface RequestOptions {
  method?: 'GET' | 'POST' | 'PUT';
  body?: unknown;
  headers?: Record<string, string>;
  /** Attempts on network errors and 5xx (with backoff). */
  attempts?: number;
  timeoutMs?: number;
}

/** Default per-request timeout; the outbox retries later with backoff. */
export const REQUEST_TIMEOUT_MS = 4_000;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** One attempt: parsed JSON, or an ApiError (retryable for 5xx) to throw or to retry. */
async function attemptJson<T>(
  url: string,
  opts: RequestOptions,
): Promise<{ ok: true; value: T } | { ok: false; err: ApiError }> {
  const res = await fetch(url, {
    method: opts.method ?? (opts.body === undefined ? 'GET' : 'POST'),
    headers: { 'content-type': 'application/json', ...opts.headers },
    body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
    // Short: a messenger that accepts connections but never answers must not hold a lane for long.
    signal: AbortSignal.timeout(opts.timeoutMs ?? REQUEST_TIMEOUT_MS),
  });
  if (res.status >= 500)
    return { ok: false, err: new ApiError(`HTTP ${res.status} from ${new URL(url).pathname}`, true) };
  const text = await res.text();
  if (res.status >= 400)
    throw new ApiError(`HTTP ${res.status} from ${new URL(url).pathname}: ${text.slice(0, 200)}`, false);
  return { ok: true, value: (text ? JSON.parse(text) : {}) as T };
}

/** JSON over fetch, retried with exponential backoff on network errors and 5xx. */
export async function requestJson<T = Record<string, unknown>>(url: string, opts: RequestOptions = {}): Promise<T> {
  const attempts = opts.attempts ?? 3;
  let last: unknown;
  for (let i = 0; i < attempts; i++) {
    if (i > 0) await sleep(200 * 2 ** (i - 1) + Math.random() * 100);
    try {
      const r = await attemptJson<T>(url, opts);
      if (r.ok) return r.value;
      last = r.err;
    } catch (err) {
      if (err instanceof ApiError && !err.retryable) throw err;
      last =
        err instanceof ApiError
          ? err
          : new ApiError(`network error calling ${new URL(url).pathname}: ${(err as Error).message}`, true);
    }
  }
  throw last;
}

/** A channel's send error: an ApiError keeps its verdict on retrying; anything else is retried. */
export function toSendError(err: unknown): Error {
  if (err instanceof ChannelSendError) return err;
  if (err instanceof ApiError) return new ChannelSendError(err.message, err.retryable);
  return err instanceof Error ? err : new Error(String(err));
}
