import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { eachDialect } from '../helpers/db.js';
import { startAdmin } from './helpers.js';

const scripts = path.resolve('node_modules/adminjs/lib/frontend/assets/scripts');
const BUNDLES = {
  'global.bundle.js': path.join(scripts, 'global-bundle.production.js'),
  'app.bundle.js': path.join(scripts, 'app-bundle.production.js'),
  'design-system.bundle.js': path.resolve('node_modules/@adminjs/design-system/bundle.production.js'),
};

eachDialect('the back office front end', (h) => {
  let server: Awaited<ReturnType<typeof startAdmin>>;
  beforeAll(async () => {
    server = await startAdmin(h.core);
  });
  afterAll(async () => server?.close());

  it("serves AdminJS's minified bundles (not 26 MB of development React) even outside production, revalidated by ETag", async () => {
    expect(process.env.NODE_ENV).not.toBe('production');
    for (const [name, file] of Object.entries(BUNDLES)) {
      const res = await fetch(`${server.url}/admin/frontend/assets/${name}`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
      const body = Buffer.from(await res.arrayBuffer());
      expect(body.equals(fs.readFileSync(file))).toBe(true);
      expect(body.length).toBeLessThan(2.5 * 1024 * 1024);
      const etag = res.headers.get('etag');
      expect(etag).toMatch(/^"[\w-]{27}"$/);
      const again = await fetch(`${server.url}/admin/frontend/assets/${name}`, { headers: { 'If-None-Match': etag! } });
      expect(again.status).toBe(304);
      expect((await again.arrayBuffer()).byteLength).toBe(0);
    }
  });
});
