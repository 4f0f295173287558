import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { apiRoutes } from '../../api/routes/index.js';
import { eachDialect } from '../helpers/db.js';
import { startApi, type ApiHarness, type ApiResponse } from '../helpers/api-app.js';
import { newCustomer, uniqueName } from '../core/fixtures.js';

type Ctx = { api: ApiHarness; token: string; code: string; spare: string };
type Example = (c: Ctx) => Promise<ApiResponse>;

/**
 * One successful call per operation, in an order that works (a document is pushed before it is
 * read). Every operation in the registry must have one: a new route without an example fails
 * the coverage test below, so the document and the real answers are always checked together.
 */
const EXAMPLES: [string, Example][] = [
  ['listCustomers', ({ api, token }) => api.call('GET', '/api/v1/customers?limit=5', { token })],
  ['getCustomer', ({ api, token, code }) => api.call('GET', `/api/v1/customers/${code}`, { token })],
  [
    'createCustomer',
    ({ api, token }) =>
      api.call('POST', '/api/v1/customers', {
        token,
        body: { name: uniqueName('文档'), category: '经销商' },
        headers: { 'Idempotency-Key': `cov-${Date.now()}` },
      }),
  ],
  [
    'updateCustomer',
    ({ api, token, code }) =>
      api.call('PATCH', `/api/v1/customers/${code}`, {
        token,
        body: { note: '覆盖测试' },
        headers: { 'If-Match': '1' },
      }),
  ],
  ['checkTransactable', ({ api, token, code }) => api.call('GET', `/api/v1/customers/${code}/transactable`, { token })],
  [
    'putOrder',
    ({ api, token, code }) =>
      api.call('PUT', '/api/v1/orders/COV-SO-1', {
        token,
        body: { customerCode: code, date: '2026-03-01', total: '100.00', status: 'open' },
      }),
  ],
  [
    'putReceivable',
    ({ api, token, code }) =>
      api.call('PUT', '/api/v1/receivables/COV-YS-1', {
        token,
        body: { customerCode: code, amount: '100.00', paid: '0', dueDate: '2026-04-01', orderNumber: 'COV-SO-1' },
      }),
  ],
  [
    'putReservation',
    ({ api, token, code }) =>
      api.call('PUT', '/api/v1/reservations/COV-YL-1', {
        token,
        body: { customerCode: code, product: 'P-COV', quantity: 2, released: false },
      }),
  ],
  ['getOrder', ({ api, token }) => api.call('GET', '/api/v1/orders/COV-SO-1', { token })],
  ['getReceivable', ({ api, token }) => api.call('GET', '/api/v1/receivables/COV-YS-1', { token })],
  ['getReservation', ({ api, token }) => api.call('GET', '/api/v1/reservations/COV-YL-1', { token })],
  [
    'pushLedgerBatch',
    ({ api, token, code }) =>
      api.call('POST', '/api/v1/ledger/batch', {
        token,
        body: {
          documents: [
            {
              type: 'order',
              number: 'COV-SO-1',
              customerCode: code,
              date: '2026-03-01',
              total: '100.00',
              status: 'closed',
            },
            {
              type: 'receivable',
              number: 'COV-YS-1',
              customerCode: code,
              amount: '100.00',
              paid: '100.00',
              dueDate: '2026-04-01',
            },
            {
              type: 'reservation',
              number: 'COV-YL-1',
              customerCode: code,
              product: 'P-COV',
              quantity: 2,
              released: true,
            },
          ],
        },
      }),
  ],
  [
    'deactivateCustomer',
    ({ api, token, code }) =>
      api.call('POST', `/api/v1/customers/${code}/deactivate`, {
        token,
        body: { reason: '客户要求', memo: '覆盖测试' },
      }),
  ],
  [
    'reactivateCustomer',
    ({ api, token, code }) => api.call('POST', `/api/v1/customers/${code}/reactivate`, { token, body: {} }),
  ],
  [
    'mergeCustomers',
    ({ api, token, code, spare }) =>
      api.call('POST', `/api/v1/customers/${code}/merge`, {
        token,
        body: { absorb: [spare], reason: '覆盖测试', dryRun: true },
      }),
  ],
  [
    'recodeCustomer',
    ({ api, token, code }) =>
      api.call('POST', `/api/v1/customers/${code}/recode`, {
        token,
        body: { newCode: 'C20269999', reason: '覆盖测试', dryRun: true },
      }),
  ],
  [
    'requestCustomerDeletion',
    ({ api, token, spare }) =>
      api.call('POST', `/api/v1/customers/${spare}/deletion-request`, { token, body: { reason: '覆盖测试' } }),
  ],
];

eachDialect('API OpenAPI document: generated from the route specs, as valid JSON Schema', (h) => {
  let api: ApiHarness;
  let doc: Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- a parsed JSON document
  beforeAll(async () => {
    api = await startApi(h);
    const r = await api.call('GET', '/api/v1/openapi.json');
    expect(r.status).toBe(200);
    doc = r.body;
  });
  afterAll(async () => api?.close());

  it('is OpenAPI 3.1 with bearer security, the error schema, and every route with the schemas that validate it', () => {
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.components.securitySchemes.bearer).toMatchObject({ type: 'http', scheme: 'bearer' });
    expect(doc.components.schemas.Error.properties.error.required).toEqual(['code', 'message', 'details']);
    const routes = apiRoutes();
    const ops = Object.values(doc.paths as Record<string, Record<string, { operationId: string }>>).flatMap((p) =>
      Object.values(p).map((o) => o.operationId),
    );
    expect(ops.sort()).toEqual(routes.map((r) => r.operationId).sort());
    for (const route of routes) {
      const op = doc.paths[route.path][route.method.toLowerCase()];
      expect(op.security).toEqual([{ bearer: [] }]);
      if (route.body)
        expect(op.requestBody.content['application/json'].schema).toEqual(JSON.parse(JSON.stringify(route.body)));
      for (const status of ['401', '403', '429'])
        expect(op.responses[status].content['application/json'].schema).toEqual(doc.components.schemas.Error);
      for (const [status, r] of Object.entries(route.responses))
        expect(op.responses[status].description).toBe(r.description);
      if (route.method !== 'GET')
        expect(op.parameters.map((p: { name: string }) => p.name)).toContain('Idempotency-Key');
    }
    expect(
      doc.paths['/customers/{code}/transactable'].get.responses['409'].content['application/json'].schema.required,
    ).toEqual(['ok', 'status', 'reason', 'since', 'until', 'message']);
  });

  it('holds only schemas a JSON Schema 2020-12 validator accepts', () => {
    const ajv = new Ajv2020({ strict: true, allowUnionTypes: true, validateFormats: false });
    const schemas: unknown[] = [];
    const walk = (node: unknown, key = ''): void => {
      if (!node || typeof node !== 'object') return;
      if (key === 'schema') schemas.push(node);
      for (const [k, v] of Object.entries(node)) walk(v, k);
    };
    walk(doc.paths);
    expect(schemas.length).toBeGreaterThan(50);
    for (const s of schemas) expect(() => ajv.compile(s as object)).not.toThrow();
  });
});

eachDialect('API OpenAPI document: served with a local reference page, true to the answers', (h) => {
  let api: ApiHarness;
  beforeAll(async () => {
    api = await startApi(h);
  });
  afterAll(async () => api?.close());

  it('serves a reference page at /api/docs from the swagger-ui-dist package, same-origin only', async () => {
    const page = await fetch(`${api.url}/api/docs`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toContain("default-src 'self'");
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
    const html = await page.text();
    expect(html).toContain('客户主数据管家 API 参考');
    expect(html).not.toMatch(/(src|href)="(https?:)?\/\//);
    expect(html).not.toMatch(/<script>[^<]/);
    const assets = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]!);
    expect(assets).toEqual(
      expect.arrayContaining(['/api/docs/swagger-ui.css', '/api/docs/swagger-ui-bundle.js', '/api/docs/init.js']),
    );
    for (const a of assets) expect((await fetch(`${api.url}${a}`)).status).toBe(200);
    expect(await (await fetch(`${api.url}/api/docs/swagger-ui-bundle.js`)).text()).toContain('SwaggerUIBundle');
    expect(await (await fetch(`${api.url}/api/docs/init.js`)).text()).toContain('"/api/v1/openapi.json"');
    expect((await fetch(`${api.url}/api/docs/../../package.json`)).status).toBe(404);
  });

  it('gets a documented answer from every operation (each answer is checked against the document)', async () => {
    const admin = await h.actor('文档测试管理员', ['admin']);
    const ctx: Ctx = {
      api,
      token: await api.token(['customers:read', 'customers:write', 'ledger:read', 'ledger:write'], 'coverage'),
      code: (await newCustomer(h, admin)).code,
      spare: (await newCustomer(h, admin)).code,
    };
    const missing = api.registry.routes.map((r) => r.operationId).filter((id) => !EXAMPLES.some(([e]) => e === id));
    expect({ operationsWithoutAnExample: missing }).toEqual({ operationsWithoutAnExample: [] });
    for (const [id, call] of EXAMPLES) {
      if (!api.registry.routes.some((r) => r.operationId === id)) continue;
      const r = await call(ctx);
      expect({ id, status: r.status, ok: r.status < 300 }).toEqual({ id, status: r.status, ok: true });
    }
    expect([...api.registry.exercised.keys()].sort()).toEqual(api.registry.routes.map((r) => r.operationId).sort());
    expect(api.registry.violations).toEqual([]);
  });
});
