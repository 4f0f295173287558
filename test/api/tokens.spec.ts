import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { createApiToken, hashToken, revokeApiToken, TOKEN_CACHE_MS, verifyApiToken } from '../../core/api/tokens.js';
import { eachDialect, withEnv, type Harness } from '../helpers/db.js';
import { itAnsweredAsDocumented, secondCore, startApi, type ApiHarness } from '../helpers/api-app.js';
import { expectRefused, newCustomer } from '../core/fixtures.js';

/** The API, and one customer whose page the tokens below ask for. */
async function startWithCustomer(h: Harness): Promise<{ api: ApiHarness; code: string }> {
  const api = await startApi(h);
  return { api, code: (await newCustomer(h, await h.actor('令牌测试管理员', ['admin']))).code };
}

eachDialect('API tokens: stored as a hash, revoked at once', (h) => {
  let api: ApiHarness, code: string;
  beforeAll(async () => {
    ({ api, code } = await startWithCustomer(h));
  });
  afterAll(async () => api?.close());

  const get = (token?: string, headers: Record<string, string> = {}) =>
    api.call('GET', `/api/v1/customers/${code}`, { token, headers });

  it('stores only the sha256 of a token shown once, with a stw_ prefix, scopes and no expiry by default', async () => {
    const admin = await h.actor('令牌测试管理员', ['admin']);
    const { token, info } = await createApiToken(h.core, admin, {
      name: 'erp-store',
      scopes: 'customers:read, ledger:write',
    });
    expect(token).toMatch(/^stw_[A-Za-z0-9_-]{43}$/);
    const row = await h.core.models.ApiToken.findOne({ where: { name: 'erp-store' }, raw: true });
    expect(row).toMatchObject({
      tokenHash: hashToken(token),
      prefix: token.slice(0, 12),
      scopes: 'customers:read,ledger:write',
      expiresAt: null,
      revokedAt: null,
    });
    expect(JSON.stringify(row)).not.toContain(token);
    expect(info.state).toBe('active');
    await expectRefused(
      createApiToken(h.core, admin, { name: 'erp-store', scopes: 'customers:read' }),
      'CONFLICT',
      '已有名为「erp-store」的令牌',
    );
    await expectRefused(
      createApiToken(h.core, admin, { name: 'x', scopes: 'customers:delete' }),
      'VALIDATION',
      '不认识的权限范围: customers:delete',
    );
    await expectRefused(
      createApiToken(h.core, await h.actor('令牌测试销售', ['sales']), { name: 'y', scopes: 'customers:read' }),
      'NOT_PERMITTED',
    );
  });

  it('refuses a token revoked through this instance at once, even though verified tokens are cached', async () => {
    const admin = await h.actor('令牌测试管理员', ['admin']);
    const token = await api.token(['customers:read'], 'to-revoke');
    expect((await get(token)).status).toBe(200);
    expect(TOKEN_CACHE_MS).toBeLessThanOrEqual(5_000);
    await revokeApiToken(h.core, admin, 'to-revoke');
    const revoked = await get(token);
    expect(revoked.status).toBe(401);
    expect(revoked.body.error).toMatchObject({
      message: '访问令牌已被吊销, 不能再使用。请向管理员申请新令牌。',
      details: { reason: 'revoked' },
    });
    await expectRefused(revokeApiToken(h.core, admin, 'to-revoke'), 'CONFLICT', '已于');
    await expectRefused(revokeApiToken(h.core, admin, 'never-made'), 'NOT_FOUND', 'steward api-token list');
  });

  itAnsweredAsDocumented(() => api);
});

eachDialect('API tokens: bearer auth and scopes', (h) => {
  let api: ApiHarness, code: string;
  beforeAll(async () => {
    ({ api, code } = await startWithCustomer(h));
  });
  afterAll(async () => api?.close());

  const get = (token?: string, headers: Record<string, string> = {}) =>
    api.call('GET', `/api/v1/customers/${code}`, { token, headers });

  it('answers a missing, malformed or unknown token with 401, WWW-Authenticate and a Chinese message', async () => {
    const missing = await get();
    expect(missing.status).toBe(401);
    expect(missing.headers.get('www-authenticate')).toBe('Bearer realm="steward"');
    expect(missing.body.error).toMatchObject({
      code: 'UNAUTHORIZED',
      message: expect.stringContaining('缺少访问令牌'),
    });

    const basic = await get(undefined, { authorization: 'Basic YWRtaW46YWRtaW4=' });
    expect(basic.status).toBe(401);
    expect(basic.body.error.message).toContain('Authorization: Bearer <令牌>');

    const malformed = await get('not-a-token');
    expect(malformed.status).toBe(401);
    expect(malformed.headers.get('www-authenticate')).toBe('Bearer realm="steward", error="invalid_token"');
    expect(malformed.body.error).toMatchObject({ code: 'UNAUTHORIZED', details: { reason: 'malformed' } });

    const unknown = await get(`stw_${'A'.repeat(43)}`);
    expect(unknown.status).toBe(401);
    expect(unknown.body.error).toMatchObject({
      code: 'UNAUTHORIZED',
      message: expect.stringContaining('没有这个令牌'),
      details: { reason: 'unknown' },
    });
  });

  it('answers a missing scope with 403 naming the scope, and lets the right scope through', async () => {
    const reader = await api.token(['customers:read']);
    const ledgerOnly = await api.token(['ledger:write'], 'ledger-only');
    expect((await get(reader)).status).toBe(200);
    const refused = await get(ledgerOnly);
    expect(refused.status).toBe(403);
    expect(refused.body.error).toMatchObject({ code: 'NOT_PERMITTED', details: { scope: 'customers:read' } });
    expect(refused.body.error.message).toBe(
      '令牌「ledger-only」没有「customers:read」权限 (读取客户)。请让管理员创建带 customers:read 的令牌。',
    );
    const write = await api.call('POST', `/api/v1/customers/${code}/deactivate`, {
      token: reader,
      body: { reason: '客户要求' },
    });
    expect(write.status).toBe(403);
    expect(write.body.error.details.scope).toBe('customers:write');
  });

  itAnsweredAsDocumented(() => api);
});

eachDialect('API tokens: expiry', (h) => {
  let api: ApiHarness, code: string;
  beforeAll(async () => {
    ({ api, code } = await startWithCustomer(h));
  });
  afterAll(async () => api?.close());

  const get = (token?: string, headers: Record<string, string> = {}) =>
    api.call('GET', `/api/v1/customers/${code}`, { token, headers });

  it('refuses an expired token (movable clock) and records when a token was last used', async () => {
    const admin = await h.actor('令牌测试管理员', ['admin']);
    const now = new Date();
    const { token } = await createApiToken(h.core, admin, {
      name: 'short-lived',
      scopes: ['customers:read'],
      expires: new Date(now.getTime() + 3600_000),
    });
    expect((await get(token)).status).toBe(200);
    const used = await h.core.models.ApiToken.findOne({ where: { name: 'short-lived' } });
    // lastUsedAt is written in the background, at most once a minute per token.
    for (let i = 0; i < 50 && !(await used!.reload()).lastUsedAt; i++) await new Promise((r) => setImmediate(r));
    expect(used!.lastUsedAt).not.toBeNull();
    h.setNow(new Date(now.getTime() + 2 * 3600_000));
    try {
      const expired = await get(token);
      expect(expired.status).toBe(401);
      expect(expired.body.error).toMatchObject({
        code: 'UNAUTHORIZED',
        message: '访问令牌已过期。请向管理员申请新令牌。',
        details: { reason: 'expired' },
      });
    } finally {
      h.setNow(null);
    }
    await expectRefused(
      createApiToken(h.core, admin, { name: 'past', scopes: 'customers:read', expires: '2001-01-01' }),
      'VALIDATION',
      '过期时间必须晚于现在',
    );
  });

  itAnsweredAsDocumented(() => api);
});

eachDialect('API tokens: one read per expiry', (h) => {
  let api: ApiHarness, code: string;
  beforeAll(async () => {
    ({ api, code } = await startWithCustomer(h));
  });
  afterAll(async () => api?.close());

  const get = (token?: string) => api.call('GET', `/api/v1/customers/${code}`, { token });

  it('reads a token once when many requests find its cached entry expired at the same moment', async () => {
    const token = await api.token(['customers:read'], 'burst');
    const start = new Date();
    h.setNow(start);
    let reads = 0;
    h.core.models.ApiToken.addHook('beforeFind', 'countTokenReads', () => {
      reads++;
    });
    try {
      expect((await get(token)).status).toBe(200);
      h.setNow(new Date(start.getTime() + TOKEN_CACHE_MS + 1));
      reads = 0;
      // As 64 connections do under load: all of them arrive before the first read is answered.
      const checks = await Promise.all(Array.from({ length: 20 }, () => verifyApiToken(h.core, token)));
      expect(checks.every((c) => c.ok && c.name === 'burst')).toBe(true);
      expect(reads).toBe(1);
      expect((await get(token)).status).toBe(200);
      expect(reads).toBe(1);
    } finally {
      h.core.models.ApiToken.removeHook('beforeFind', 'countTokenReads');
      h.setNow(null);
    }
  });
});

eachDialect('API tokens: revocation seen by another instance, rate limit', (h) => {
  let api: ApiHarness, code: string;
  beforeAll(async () => {
    ({ api, code } = await startWithCustomer(h));
  });
  afterAll(async () => api?.close());

  const get = (token?: string, headers: Record<string, string> = {}) =>
    api.call('GET', `/api/v1/customers/${code}`, { token, headers });

  it('lets another instance see a revocation within TOKEN_CACHE_MS (its cache), and this one at once', async () => {
    const other = secondCore(h);
    const b = await startApi(h, { core: other });
    const start = new Date();
    h.setNow(start);
    try {
      const token = await api.token(['customers:read'], 'revoked-elsewhere');
      expect((await b.call('GET', `/api/v1/customers/${code}`, { token })).status).toBe(200);
      await revokeApiToken(h.core, await h.actor('令牌测试管理员', ['admin']), 'revoked-elsewhere');
      expect((await get(token)).status).toBe(401);
      // Instance b verified the token a moment ago and trusts its cache until TOKEN_CACHE_MS has passed.
      expect((await b.call('GET', `/api/v1/customers/${code}`, { token })).status).toBe(200);
      h.setNow(new Date(start.getTime() + TOKEN_CACHE_MS + 1));
      const later = await b.call('GET', `/api/v1/customers/${code}`, { token });
      expect(later.status).toBe(401);
      expect(later.body.error.details.reason).toBe('revoked');
      expect(b.registry.violations).toEqual([]);
    } finally {
      h.setNow(null);
      await b.close();
      await other.models.sequelize.close();
    }
  });

  it('gives 429 with Retry-After once a token used its minute, per token, and lets it through again later', async () => {
    // An instance configured for 3 requests a minute, on the same database.
    const limitedApi = await startApi(h, { core: withEnv(h.core, { API_RATE_LIMIT_PER_MINUTE: '3' }) });
    const get = (token: string) => limitedApi.call('GET', `/api/v1/customers/${code}`, { token });
    const start = new Date();
    h.setNow(start);
    try {
      const busy = await limitedApi.token(['customers:read'], 'busy');
      const other = await limitedApi.token(['customers:read'], 'other');
      for (let i = 0; i < 3; i++) expect((await get(busy)).status).toBe(200);
      const limited = await get(busy);
      expect(limited.status).toBe(429);
      expect(limited.headers.get('retry-after')).toBe('20');
      expect(limited.body.error).toMatchObject({
        code: 'RATE_LIMITED',
        message: '请求太频繁: 令牌「busy」每分钟最多 3 次请求。请 20 秒后再试。',
        details: { limitPerMinute: 3, retryAfterSeconds: 20 },
      });
      expect((await get(other)).status).toBe(200);
      h.setNow(new Date(start.getTime() + 20_000));
      expect((await get(busy)).status).toBe(200);
      expect((await get(busy)).status).toBe(429);
      expect(limitedApi.registry.violations).toEqual([]);
    } finally {
      h.setNow(null);
      await limitedApi.close();
    }
  });

  itAnsweredAsDocumented(() => api);
});
