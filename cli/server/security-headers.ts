import type Koa from 'koa';

/** For pages without scripts (approval and review pages, error pages, JSON): nothing but inline style and our own forms. */
export const STRICT_CSP =
  "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/**
 * Headers every response gets before its door runs: no MIME sniffing, no referrer to other
 * sites, no framing, and a strict CSP a door may replace with its own (the back office, API docs).
 */
export function securityHeaders(): Koa.Middleware {
  return function securityHeaders(ctx, next) {
    ctx.set('X-Content-Type-Options', 'nosniff');
    ctx.set('Referrer-Policy', 'same-origin');
    ctx.set('X-Frame-Options', 'DENY');
    ctx.set('Content-Security-Policy', STRICT_CSP);
    return next();
  };
}
