import dns from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import type { Config } from '../../core/config.js';
import { assertReachable, bareHost } from '../../core/webhooks/targets.js';

/** The outcome of one POST: the receiver's status (null when none came back), time taken, error. */
export interface SendResult {
  status: number | null;
  ms: number;
  error: string | null;
}

type LookupCallback = (
  err: NodeJS.ErrnoException | null,
  address: string | dns.LookupAddress[],
  family?: number,
) => void;

/**
 * A dns.lookup that refuses private addresses for `host` (unless allowed). The connection uses
 * exactly the address checked here, so a DNS answer that changes between the subscribe-time
 * check and the send (rebinding) cannot reach an internal service.
 */
function guardedLookup(config: Pick<Config, 'WEBHOOK_ALLOW_HOSTS'>, host: string) {
  return (hostname: string, options: dns.LookupOptions, callback: LookupCallback): void => {
    dns.lookup(hostname, { ...options, verbatim: true }, (err, address, family) => {
      if (err) return callback(err, address, family);
      try {
        const list = Array.isArray(address) ? address : [{ address, family }];
        for (const a of list) assertReachable(config, host, a.address);
      } catch (refusal) {
        return callback(
          Object.assign(new Error((refusal as Error).message), { code: 'EWEBHOOKPRIVATE' }),
          address,
          family,
        );
      }
      callback(null, address, family);
    });
  };
}

/** The target URL, refused at once when it is an IP literal on a private network (those skip lookup). */
function targetUrl(config: Pick<Config, 'WEBHOOK_ALLOW_HOSTS'>, rawUrl: string): URL {
  const url = new URL(rawUrl);
  const host = bareHost(url.hostname);
  if (net.isIP(host)) assertReachable(config, host, host);
  return url;
}

/** A redirect is not followed; the message tells the owner what to change. */
function redirectRefusal(status: number | null): string | null {
  return status !== null && status >= 300 && status < 400 ? `收到重定向 ${status}, 不跟随 (请填写最终地址)` : null;
}

/** A transport error as the text stored with the delivery; our own refusal keeps its message. */
function transportError(err: NodeJS.ErrnoException): string {
  return err.code === 'EWEBHOOKPRIVATE' ? err.message : `${err.code ?? ''} ${err.message}`.trim();
}

/**
 * POSTs `body` to `url` with `headers`, within `timeoutMs` until the response status arrives.
 * Never follows redirects; the response body is dropped (only the status counts).
 */
export function postWebhook(
  config: Pick<Config, 'WEBHOOK_ALLOW_HOSTS'>,
  rawUrl: string,
  body: string,
  headers: Record<string, string>,
  timeoutMs: number,
): Promise<SendResult> {
  const started = Date.now();
  const done = (status: number | null, error: string | null): SendResult => ({
    status,
    ms: Date.now() - started,
    error: error?.slice(0, 500) ?? null,
  });
  return new Promise((resolve) => {
    let url: URL;
    try {
      url = targetUrl(config, rawUrl);
    } catch (err) {
      resolve(done(null, (err as Error).message));
      return;
    }
    const client = url.protocol === 'https:' ? https : http;
    let settled = false;
    const finish = (r: SendResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(r);
    };
    const req = client.request(
      url,
      {
        method: 'POST',
        headers: { ...headers, 'Content-Length': String(Buffer.byteLength(body)) },
        lookup: guardedLookup(config, bareHost(url.hostname)) as unknown as net.LookupFunction,
        agent: false,
      },
      (res) => {
        // The status is the answer; a body that never ends must not hold the lane.
        const status = res.statusCode ?? null;
        finish(done(status, redirectRefusal(status)));
        res.resume();
        res.on('error', () => undefined);
        setTimeout(() => res.destroy(), 1_000).unref();
      },
    );
    const timer = setTimeout(() => {
      req.destroy(new Error(`超时: ${Math.round(timeoutMs / 1000)} 秒内没有收到响应`));
    }, timeoutMs);
    req.on('error', (err) => finish(done(null, transportError(err))));
    req.end(body);
  });
}
