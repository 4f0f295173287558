import crypto from 'node:crypto';
import http from 'node:http';
import type Koa from 'koa';
import type Router from '@koa/router';
import type { Core } from '../../core/context.js';
import { enableProcessMetrics, refreshGauges, registry } from '../../core/metrics.js';
import type { Mount } from './app.js';
import { UserFacingError } from '../runtime.js';

/** Compares a presented token with the configured one in constant time (both hashed to 32 bytes first). */
export function tokenMatches(expected: string, presented: string): boolean {
  const digest = (s: string) => crypto.createHash('sha256').update(s).digest();
  return crypto.timingSafeEqual(digest(expected), digest(presented));
}

interface Scrape {
  status: number;
  type: string;
  body: string;
}

/** One scrape: 401 without the right bearer token (when one is configured), else the text format. */
async function scrape(core: Core, channels: readonly string[], authorization: string | undefined): Promise<Scrape> {
  const token = core.config.METRICS_TOKEN;
  if (token !== undefined) {
    const presented = /^Bearer\s+(\S+)$/i.exec(authorization ?? '')?.[1] ?? '';
    if (!tokenMatches(token, presented))
      return { status: 401, type: 'text/plain; charset=utf-8', body: 'metrics: bearer token required\n' };
  }
  await refreshGauges(core, channels);
  return { status: 200, type: registry.contentType, body: await registry.metrics() };
}

/** A plain HTTP server answering only `GET /metrics` (METRICS_PORT). */
function metricsServer(core: Core, channels: readonly string[]): http.Server {
  return http.createServer((req, res) => {
    const path = (req.url ?? '').split('?')[0];
    if (req.method !== 'GET' || path !== '/metrics') {
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('not found\n');
      return;
    }
    scrape(core, channels, req.headers.authorization).then(
      (r) =>
        res
          .writeHead(r.status, {
            'content-type': r.type,
            ...(r.status === 401 ? { 'www-authenticate': 'Bearer' } : {}),
          })
          .end(r.body),
      (err: unknown) => {
        core.logger.error({ err }, 'metrics scrape failed');
        res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' }).end('metrics unavailable\n');
      },
    );
  });
}

/**
 * Serves Prometheus metrics: on METRICS_PORT (a port of its own), or on the main port at
 * /metrics behind METRICS_TOKEN. With neither set there is no /metrics at all. `channels`
 * (messengers and outbound webhooks) report an outbox depth of 0 rather than nothing when idle.
 */
export function metricsMount(core: Core, channels: readonly string[]): Mount | null {
  const { METRICS_PORT: port, METRICS_TOKEN: token, HOST: host } = core.config;
  if (port === undefined && token === undefined) return null;
  enableProcessMetrics();
  if (port !== undefined) {
    return async function mountMetricsPort() {
      const server = metricsServer(core, channels);
      await new Promise<void>((resolve, reject) => {
        server.once('error', (err: NodeJS.ErrnoException) =>
          reject(
            err.code === 'EADDRINUSE' ? new UserFacingError(`METRICS_PORT ${port} 已被占用: 请换一个端口。`) : err,
          ),
        );
        server.listen(port, host, () => resolve());
      });
      core.logger.info({ port: (server.address() as { port: number }).port }, 'metrics listening');
      return () =>
        new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeAllConnections();
        });
    };
  }
  return function mountMetricsRoute(_app: Koa, router: Router) {
    router.get('/metrics', async function metrics(ctx) {
      const r = await scrape(core, channels, ctx.get('authorization'));
      ctx.status = r.status;
      ctx.type = r.type;
      ctx.body = r.body;
      if (r.status === 401) ctx.set('WWW-Authenticate', 'Bearer');
      // Scrapes come every few seconds: only refusals are worth a log line.
      ctx.state.quietLog = r.status === 200;
    });
  };
}
