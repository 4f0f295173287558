import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type Koa from 'koa';
import { API_BASE } from './registry.js';

/** The human reference page: Swagger UI from the swagger-ui-dist package, no CDN. */
export const DOCS_PATH = '/api/docs';

const dist = path.dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));
const ASSETS: Record<string, string> = {
  'swagger-ui.css': 'text/css; charset=utf-8',
  'swagger-ui-bundle.js': 'text/javascript; charset=utf-8',
  'favicon-32x32.png': 'image/png',
};
const cache = new Map<string, Buffer>();

// Only this origin, and no inline script: the page's own set-up is a file too.
const CSP =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; font-src 'self' data:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'none'";

const PAGE = `<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<title>客户主数据管家 API 参考</title>
<link rel="stylesheet" href="${DOCS_PATH}/swagger-ui.css">
<link rel="icon" type="image/png" href="${DOCS_PATH}/favicon-32x32.png">
</head>
<body>
<div id="swagger-ui"></div>
<script src="${DOCS_PATH}/swagger-ui-bundle.js"></script>
<script src="${DOCS_PATH}/init.js"></script>
</body>
</html>
`;

const INIT = `window.ui = SwaggerUIBundle({ url: ${JSON.stringify(`${API_BASE}/openapi.json`)}, dom_id: '#swagger-ui', deepLinking: true, tryItOutEnabled: false });\n`;

function asset(name: string): Buffer {
  let b = cache.get(name);
  if (!b) cache.set(name, (b = fs.readFileSync(path.join(dist, name))));
  return b;
}

/** Serves /api/docs and its files; false when the path is not one of them. */
export function serveDocs(ctx: Koa.Context): boolean {
  const rel = ctx.path.slice(DOCS_PATH.length).replace(/^\//, '');
  if (ctx.method !== 'GET' && ctx.method !== 'HEAD') return false;
  ctx.set('Content-Security-Policy', CSP);
  ctx.set('X-Content-Type-Options', 'nosniff');
  if (rel === '' || rel === 'index.html') {
    ctx.type = 'text/html; charset=utf-8';
    ctx.body = PAGE;
    return true;
  }
  if (rel === 'init.js') {
    ctx.type = 'text/javascript; charset=utf-8';
    ctx.body = INIT;
    return true;
  }
  const type = ASSETS[rel];
  if (!type) return false;
  ctx.set('Cache-Control', 'public, max-age=86400');
  ctx.type = type;
  ctx.body = asset(rel);
  return true;
}
