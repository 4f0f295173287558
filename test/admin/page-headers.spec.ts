import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { startBotApp, type BotApp } from '../helpers/bot-app.js';
import { eachDialect } from '../helpers/db.js';

eachDialect('approval and review pages carry the security headers', (h) => {
  let app: BotApp;
  beforeAll(async () => {
    app = await startBotApp(h, { seed: false });
  });
  afterAll(async () => app?.close());

  it('sends a strict CSP (no scripts, own forms only, no framing), nosniff and Referrer-Policy on every page, refusals included', async () => {
    for (const path of ['/approvals/1?t=bad', '/review/nope']) {
      for (const method of ['GET', 'POST']) {
        const res = await fetch(app.url + path, { method, redirect: 'manual' });
        expect(res.status).toBeLessThan(500);
        const csp = res.headers.get('content-security-policy');
        expect(csp).toBe(
          "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
        );
        expect(res.headers.get('x-content-type-options')).toBe('nosniff');
        expect(res.headers.get('referrer-policy')).toBe('same-origin');
        expect(res.headers.get('x-frame-options')).toBe('DENY');
      }
    }
  });
});
