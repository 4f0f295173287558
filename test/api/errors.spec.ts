import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { eachDialect, type Harness } from '../helpers/db.js';
import { itAnsweredAsDocumented, startApi, type ApiHarness } from '../helpers/api-app.js';
import { uniqueName } from '../core/fixtures.js';

/** The one error shape every refusal under /api has. */
function expectErrorShape(
  r: { status: number; headers: Headers; body: unknown },
  status: number,
  code: string,
): { code: string; message: string; details: Record<string, unknown> } {
  expect(r.status).toBe(status);
  expect(r.headers.get('content-type')).toMatch(/^application\/json/);
  expect(r.body).toEqual({ error: { code, message: expect.any(String), details: expect.any(Object) } });
  const e = (r.body as { error: { code: string; message: string; details: Record<string, unknown> } }).error;
  expect(e.message).toMatch(/[\u4e00-\u9fff]/);
  return e;
}

/** The API and a token that reads and writes customers. */
async function startWithToken(h: Harness): Promise<{ api: ApiHarness; token: string }> {
  const api = await startApi(h);
  return { api, token: await api.token(['customers:read', 'customers:write'], 'errors-erp') };
}

eachDialect('API errors: one JSON shape with Chinese messages, never a 500 for a bad body', (h) => {
  let api: ApiHarness, token: string;
  beforeAll(async () => {
    ({ api, token } = await startWithToken(h));
  });
  afterAll(async () => api?.close());

  const post = (rawBody: string, headers: Record<string, string> = { 'content-type': 'application/json' }) =>
    api.call('POST', '/api/v1/customers', { token, rawBody, headers });

  it('answers malformed JSON with 400 and writes nothing', async () => {
    const before = await h.core.models.Customer.count();
    const e = expectErrorShape(await post('{"name": "未闭合'), 400, 'BAD_REQUEST');
    expect(e.message).toContain('请求体不是合法的 JSON');
    expect(await h.core.models.Customer.count()).toBe(before);
  });

  it('answers a body that is not JSON with 415', async () => {
    const e = expectErrorShape(
      await post('name=甲公司', { 'content-type': 'application/x-www-form-urlencoded' }),
      415,
      'UNSUPPORTED_MEDIA_TYPE',
    );
    expect(e.message).toContain('Content-Type: application/json');
  });

  it('answers a body over 1 MB with 413, whether declared or streamed', async () => {
    const big = JSON.stringify({ name: uniqueName(), note: 'x'.repeat(1024 * 1024) });
    const e = expectErrorShape(await post(big), 413, 'PAYLOAD_TOO_LARGE');
    expect(e.message).toContain('1 MB');
    // Chunked, with no Content-Length: refused while reading.
    const chunks = new ReadableStream<Uint8Array>({
      start(c) {
        for (let i = 0; i < 12; i++) c.enqueue(new TextEncoder().encode('x'.repeat(100 * 1024)));
        c.close();
      },
    });
    const res = await fetch(`${api.url}/api/v1/customers`, {
      method: 'POST',
      body: chunks,
      duplex: 'half',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    } as RequestInit);
    expect(res.status).toBe(413);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('PAYLOAD_TOO_LARGE');
  });

  it('answers a body that does not match the schema with 422 naming every field in Chinese', async () => {
    const r = await api.call('POST', '/api/v1/customers', {
      token,
      body: { contact: 5, category: '朋友', ownerId: 'me', extra: true },
    });
    const e = expectErrorShape(r, 422, 'VALIDATION');
    expect(e.details.errors).toEqual([
      { field: 'name', message: '缺少必填的字段「name」(客户名称)' },
      { field: 'extra', message: expect.stringContaining('不认识的字段「extra」') },
      { field: 'contact', message: '字段「contact」(联系人)类型不对, 应为 文本 或 null' },
      { field: 'ownerId', message: '字段「ownerId」(负责人)类型不对, 应为 整数 或 null' },
    ]);
    expect(e.message).toContain('缺少必填的字段「name」(客户名称)');
    const notObject = await api.call('POST', '/api/v1/customers', { token, body: ['甲'] });
    expectErrorShape(notObject, 422, 'VALIDATION');
  });

  itAnsweredAsDocumented(() => api);
});

eachDialect('API errors: one JSON shape with Chinese messages, never a 500 for a bad path or query', (h) => {
  let api: ApiHarness, token: string;
  beforeAll(async () => {
    ({ api, token } = await startWithToken(h));
  });
  afterAll(async () => api?.close());

  it('answers an unknown path with 404, a wrong method with 405 and Allow, both in the same shape', async () => {
    const e = expectErrorShape(await api.call('GET', '/api/v1/nothing-here', { token }), 404, 'NOT_FOUND');
    expect(e.message).toContain('/api/docs');
    expectErrorShape(await api.call('GET', '/api/v2/customers', { token }), 404, 'NOT_FOUND');
    expectErrorShape(await api.call('GET', '/api', {}), 404, 'NOT_FOUND');
    const wrong = await api.call('DELETE', '/api/v1/customers/C20260001', { token });
    const w = expectErrorShape(wrong, 405, 'METHOD_NOT_ALLOWED');
    expect(wrong.headers.get('allow')).toBe('GET, PATCH');
    expect(w.message).toContain('不支持 DELETE');
    expectErrorShape(await api.call('GET', '/api/v1/customers/%E0%A4%A', { token }), 400, 'BAD_REQUEST');
  });

  it('answers a query with the wrong type with 422 naming the parameter', async () => {
    const r = await api.call('GET', '/api/v1/customers?status=gone&updatedSince=yesterday&color=red', { token });
    const e = expectErrorShape(r, 422, 'VALIDATION');
    expect((e.details.errors as { field: string }[]).map((x) => x.field).sort()).toEqual([
      'color',
      'status',
      'updatedSince',
    ]);
    expect(JSON.stringify(e.details.errors)).toContain(
      '字段「updatedSince」(更新起始时间)格式不对, 应为 ISO 8601 时间',
    );
  });

  it('answers odd input (control characters, unknown owners, nonsense versions) with 4xx naming the field, never 500', async () => {
    const code = (await api.call('POST', '/api/v1/customers', { token, body: { name: uniqueName('怪输入') } })).body
      .code as string;
    const cases: [string, string, unknown, Record<string, string>, number, string][] = [
      ['GET', '/api/v1/customers/%00/transactable', undefined, {}, 422, 'code'],
      ['GET', '/api/v1/customers/%00', undefined, {}, 422, 'code'],
      ['GET', '/api/v1/customers?owner=%00', undefined, {}, 422, 'owner'],
      ['GET', '/api/v1/customers?owner=0', undefined, {}, 422, 'owner'],
      ['POST', '/api/v1/customers', { name: uniqueName(), ownerId: 999999 }, {}, 422, 'ownerId'],
      ['PATCH', `/api/v1/customers/${code}`, { ownerId: 999999 }, { 'If-Match': '1' }, 422, 'ownerId'],
      ['POST', `/api/v1/customers/${code}/deactivate`, { reason: '其他', memo: '坏\u0000' }, {}, 422, 'memo'],
      ['POST', `/api/v1/customers/${code}/deletion-request`, { reason: '\u0000删' }, {}, 422, 'reason'],
      ['POST', `/api/v1/customers/${code}/deactivate`, { reason: '客户要求', until: '2026-02-30' }, {}, 422, 'until'],
    ];
    for (const [method, path, body, headers, status, field] of cases) {
      const r = await api.call(method, path, { token, body, headers });
      expect({
        path,
        status: r.status,
        fields: r.body.error.details.errors.map((e: { field: string }) => e.field),
      }).toEqual({ path, status, fields: [field] });
    }
    expect((await h.core.models.Customer.findOne({ where: { code } }))!.status).toBe('active');
  });

  itAnsweredAsDocumented(() => api);
});
