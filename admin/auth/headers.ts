import crypto from 'node:crypto';
import type Koa from 'koa';

const GOOGLE_FONTS = 'fonts.googleapis.com';
const FONT_LINK = /<link[^>]+fonts\.googleapis\.com[^>]*>/g;

/**
 * The back office's CSP. AdminJS's pages carry two inline scripts (its state and its start-up):
 * they get this response's nonce. Styles stay 'unsafe-inline' because AdminJS styles through
 * styled-components, which writes <style> elements at run time.
 */
export function adminCsp(nonce: string): string {
  return [
    "default-src 'self'",
    `script-src 'self' 'nonce-${nonce}'`,
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self' data:",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
}

/** Security headers for every back-office response, and the nonce on the page's own scripts. */
export function adminHeaders(): Koa.Middleware {
  return async function adminHeaders(ctx, next) {
    const nonce = crypto.randomBytes(16).toString('base64');
    ctx.set('X-Frame-Options', 'DENY');
    ctx.set('Cache-Control', 'no-store');
    ctx.set('Content-Security-Policy', adminCsp(nonce));
    await next();
    if (typeof ctx.body !== 'string') return;
    let body = ctx.body;
    // AdminJS's pages link a Google Fonts stylesheet; offline that blocks rendering until DNS gives up.
    if (body.includes(GOOGLE_FONTS)) body = body.replace(FONT_LINK, '');
    if (body.includes('<script')) body = body.replace(/<script(?=[\s>])/g, `<script nonce="${nonce}"`);
    if (body !== ctx.body) ctx.body = body;
  };
}
