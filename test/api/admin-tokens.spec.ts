import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { eachDialect } from '../helpers/db.js';
import { startApi, type ApiHarness } from '../helpers/api-app.js';
import { clientAs, startAdmin, type AdminClient } from '../admin/helpers.js';

type Rec = { id: number; params: Record<string, unknown>; recordActions: { name: string }[] };
type Answer = { notice?: { message: string; type: string }; record: Rec; records?: Rec[] };

eachDialect('back office: API 令牌 (create shown once, list, revoke; admins only)', (h) => {
  let admin: Awaited<ReturnType<typeof startAdmin>>;
  let api: ApiHarness;
  let boss: AdminClient;
  let sales: AdminClient;
  beforeAll(async () => {
    admin = await startAdmin(h.core);
    api = await startApi(h);
    boss = (await clientAs(h.core, admin.url, 'tokenboss', ['admin'])).client;
    sales = (await clientAs(h.core, admin.url, 'tokensales', ['sales'])).client;
  });
  afterAll(async () => {
    await admin?.close();
    await api?.close();
  });

  it('creates a token shown once in the notice, lists it without secrets, and revokes it so the API refuses it', async () => {
    const bad = (
      await boss.post('/admin/api/resources/api_tokens/actions/new', { name: 'erp 系统', scopes: 'customers:read' })
    ).json<Answer>();
    expect(bad.notice?.type).toBe('error');
    expect(bad.notice?.message).toContain('令牌名称只能用字母、数字、中文和 . _ -');

    const created = (
      await boss.post('/admin/api/resources/api_tokens/actions/new', {
        name: 'erp',
        scopes: 'customers:read,ledger:write',
        expires: '2099-06-30',
      })
    ).json<Answer>();
    expect(created.notice?.type).toBe('success');
    expect(created.notice?.message).toContain('令牌只显示这一次');
    const token = /stw_[A-Za-z0-9_-]{43}/.exec(created.notice!.message)![0];
    expect((await api.call('GET', '/api/v1/customers', { token })).status).toBe(200);

    const list = (await boss.list('api_tokens')).json<Answer>();
    const row = list.records!.find((r) => r.params.name === 'erp')!;
    expect(row.params).toMatchObject({
      scopes: 'customers:read,ledger:write',
      state: 'active',
      prefix: `${token.slice(0, 12)}…`,
      createdBy: 'tokenboss',
    });
    expect(JSON.stringify(list)).not.toContain(token);
    expect(JSON.stringify(list)).not.toContain('tokenHash');
    expect(row.recordActions.map((a) => a.name)).toContain('revokeToken');

    const revoked = (await boss.action('api_tokens', row.id, 'revokeToken', {})).json<Answer>();
    expect(revoked.notice).toMatchObject({ type: 'success', message: '已吊销令牌「erp」' });
    expect(revoked.record.params.state).toBe('revoked');
    expect((await api.call('GET', '/api/v1/customers', { token })).status).toBe(401);
    const event = await h.core.models.AuditEvent.findOne({ where: { action: 'api-token.revoke' } });
    expect([event!.door, event!.operatorName]).toEqual(['admin', 'tokenboss']);
  });

  it('keeps sales out: no list, no create', async () => {
    expect((await sales.list('api_tokens')).status).toBe(403);
    expect(
      (await sales.post('/admin/api/resources/api_tokens/actions/new', { name: 'sneaky', scopes: 'customers:write' }))
        .status,
    ).toBe(403);
    expect(await h.core.models.ApiToken.count({ where: { name: 'sneaky' } })).toBe(0);
  });
});
