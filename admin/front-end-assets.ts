import crypto from 'node:crypto';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type Koa from 'koa';

const require = createRequire(import.meta.url);

/**
 * AdminJS's own front end (React, its app, its design system), always the minified build: about
 * 3.4 MB a page instead of 26 MB of React development code, which a browser takes seconds to
 * parse on every page. AdminJS picks the build from NODE_ENV, and `npm start` runs in
 * development. Our components' bundle is left to AdminJS (built on first use, kept in .adminjs/).
 */
function minifiedFiles(): Record<string, string> {
  const scripts = path.join(path.dirname(require.resolve('adminjs')), 'lib', 'frontend', 'assets', 'scripts');
  const designSystem = path.dirname(path.dirname(require.resolve('@adminjs/design-system')));
  return {
    'app.bundle.js': path.join(scripts, 'app-bundle.production.js'),
    'global.bundle.js': path.join(scripts, 'global-bundle.production.js'),
    'design-system.bundle.js': path.join(designSystem, 'bundle.production.js'),
  };
}

type Asset = { body: Buffer; etag: string };

/** Serves the minified bundles at AdminJS's asset paths under `root`, cached by the browser (ETag). */
export function minifiedFrontEnd(root: string): Koa.Middleware {
  const assets = new Map<string, Asset>();
  for (const [name, file] of Object.entries(minifiedFiles())) {
    const body = fs.readFileSync(file);
    const etag = `"${crypto.createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`;
    assets.set(`${root}/frontend/assets/${name}`, { body, etag });
  }
  return async function minifiedFrontEnd(ctx, next) {
    const asset = ctx.method === 'GET' || ctx.method === 'HEAD' ? assets.get(ctx.path) : undefined;
    if (!asset) return next();
    ctx.set('ETag', asset.etag);
    ctx.set('Cache-Control', 'no-cache');
    if (ctx.get('If-None-Match') === asset.etag) {
      ctx.status = 304;
      return;
    }
    ctx.type = 'text/javascript; charset=utf-8';
    ctx.body = asset.body;
  };
}
