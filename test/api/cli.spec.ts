import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { registerApiToken } from '../../cli/commands/api-token.js';
import { hashToken } from '../../core/api/tokens.js';
import { eachDialect, type Harness } from '../helpers/db.js';
import { startApi, type ApiHarness } from '../helpers/api-app.js';
import { runProgram, runSteward } from '../helpers/steward-cli.js';

/** The CLI runs as this operator (created by startApiForCli). */
const CLI_OPERATOR = { STEWARD_OPERATOR: 'cli-admin@test.local' };

/** The API on the test database, and the admin the CLI acts as (STEWARD_OPERATOR). */
async function startApiForCli(h: Harness): Promise<ApiHarness> {
  const api = await startApi(h);
  await h.operator('cli-admin', ['admin']);
  return api;
}

eachDialect('steward api-token (in process, on the test database)', CLI_OPERATOR, (h) => {
  let api: ApiHarness;
  beforeAll(async () => {
    api = await startApiForCli(h);
  });
  afterAll(async () => api?.close());

  const steward = (...argv: string[]) => runSteward(registerApiToken, h.core, argv);

  it('create --json prints exactly {"token": "…"}, and the token works against the API with its scopes', async () => {
    const r = await steward(
      'api-token',
      'create',
      '--name',
      'erp',
      '--scopes',
      'customers:read,customers:write,ledger:write',
      '--json',
    );
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^\{"token": "stw_[A-Za-z0-9_-]{43}"\}\n$/);
    const token = (JSON.parse(r.out) as { token: string }).token;
    const row = await h.core.models.ApiToken.findOne({ where: { name: 'erp' } });
    expect(row).toMatchObject({
      tokenHash: hashToken(token),
      scopes: 'customers:read,customers:write,ledger:write',
      createdBy: 'cli-admin',
    });
    expect((await api.call('GET', '/api/v1/customers', { token })).status).toBe(200);
  });

  it('create without --json shows the token once with how to use it; list never shows it; revoke ends it', async () => {
    const created = await steward(
      'api-token',
      'create',
      '--name',
      'crm',
      '--scopes',
      'customers:read',
      '--expires',
      '2099-01-01',
    );
    const token = /stw_[A-Za-z0-9_-]{43}/.exec(created.out)![0];
    expect(created.out).toContain('已创建 API 令牌「crm」(权限: customers:read; 过期: 2099-01-01 00:00)');
    expect(created.out).toContain('令牌只显示这一次');
    const list = await steward('api-token', 'list');
    expect(list.out).toMatch(/^crm\tstw_\S{8}…\tcustomers:read\t有效\t过期: 2099-01-01 00:00\t最近使用: 从未\t/m);
    expect(list.out).not.toContain(token);
    const json = JSON.parse((await steward('api-token', 'list', '--json')).out) as { name: string; state: string }[];
    expect(json.find((t) => t.name === 'crm')).toMatchObject({ state: 'active', scopes: ['customers:read'] });
    const revoked = await steward('api-token', 'revoke', 'crm');
    expect(revoked.out).toContain('已吊销令牌「crm」');
    expect((await api.call('GET', '/api/v1/customers', { token })).status).toBe(401);
    expect((await steward('api-token', 'list')).out).toMatch(/^crm\t.*\t已吊销\t/m);
  });
});

eachDialect('steward api-token refusing bad input (in process, on the test database)', CLI_OPERATOR, (h) => {
  let api: ApiHarness;
  beforeAll(async () => {
    api = await startApiForCli(h);
  });
  afterAll(async () => api?.close());

  const steward = (...argv: string[]) => runSteward(registerApiToken, h.core, argv);

  it('refuses bad input with one Chinese line and a non-zero exit, creating nothing', async () => {
    const bad = await steward('api-token', 'create', '--name', 'x', '--scopes', 'customers:admin');
    expect(bad.code).toBe(1);
    expect(bad.err).toBe(
      '错误: 不认识的权限范围: customers:admin。可用: customers:read, customers:write, ledger:read, ledger:write\n',
    );
    const json = await steward(
      'api-token',
      'create',
      '--name',
      'y',
      '--scopes',
      'customers:read',
      '--expires',
      '明天',
      '--json',
    );
    expect(json.code).toBe(1);
    expect(JSON.parse(json.out)).toEqual({
      error: { code: 'VALIDATION', message: expect.stringContaining('过期时间「明天」格式不对') },
    });
    expect(await h.core.models.ApiToken.count({ where: { name: ['x', 'y'] } })).toBe(0);
  });
});

eachDialect('steward api-token in the whole program', CLI_OPERATOR, (h) => {
  beforeAll(async () => {
    await h.operator('cli-admin', ['admin']);
  });

  it('is in the steward program as cli/main.ts builds it: create --json prints only the token', async () => {
    const r = await runProgram(h.core, [
      'api-token',
      'create',
      '--name',
      'erp-main',
      '--scopes',
      'customers:read',
      '--json',
    ]);
    expect([r.code, r.err]).toEqual([0, '']);
    expect(r.out).toMatch(/^\{"token": "stw_[A-Za-z0-9_-]{43}"\}\n$/);
  });
});
