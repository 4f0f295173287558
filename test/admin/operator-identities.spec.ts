import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { operatorByIdentity } from '../../core/operators.js';
import type { Operator } from '../../models/index.js';
import { eachDialect, type Harness } from '../helpers/db.js';
import { clientAs, startAdmin, type AdminClient } from './helpers.js';

type Rec = {
  id: string;
  params: Record<string, unknown>;
  errors: Record<string, { message: string }>;
  recordActions: { name: string }[];
};
type Answer = { notice?: { message: string; type: string }; record: Rec; records?: Rec[]; error?: { code: string } };

type AdminServer = Awaited<ReturnType<typeof startAdmin>>;

/** The back office with an admin and a sales login, and two operators: 张三 (no chat account) and 李四 (wecom lisi). */
async function identitiesDesk(h: Harness) {
  const server = await startAdmin(h.core);
  return {
    server,
    boss: (await clientAs(h.core, server.url, 'id-boss', ['admin'])).client,
    sales: (await clientAs(h.core, server.url, 'id-sales', ['sales'])).client,
    zhang: await h.operator('张三', ['sales']),
    li: await h.operator('李四', ['sales'], { wecom: 'lisi' }),
  };
}

const link = (c: AdminClient, id: number, fields: Record<string, string>) =>
  c.action('operators', id, 'linkIdentity', fields);

eachDialect('back office: 关联聊天账号 on an operator', (h) => {
  let server: AdminServer, boss: AdminClient, zhang: Operator, li: Operator;
  beforeAll(async () => {
    ({ server, boss, zhang, li } = await identitiesDesk(h));
  });
  afterAll(async () => server?.close());

  it('offers the action to admins, with the shipped channels to choose from, and the form lists current accounts', async () => {
    const show = (await boss.action('operators', li.id, 'show')).json<Answer>();
    expect(show.record.recordActions.map((a) => a.name)).toContain('linkIdentity');
    expect(show.record.params.identities).toBe('企业微信: lisi');
    const form = (await boss.action('operators', li.id, 'linkIdentity')).json<Answer>();
    expect(JSON.parse(String(form.record.params.identitiesJson))).toEqual([
      { channel: 'wecom', externalId: 'lisi', label: '企业微信' },
    ]);
    expect(JSON.parse(String(form.record.params.channelsJson))).toEqual(
      expect.arrayContaining([
        { id: 'wecom', label: '企业微信' },
        { id: 'dingtalk', label: '钉钉' },
        { id: 'feishu', label: '飞书' },
      ]),
    );
  });

  it('links an account by POST, says so in Chinese, and the show page and list then show it', async () => {
    const res = (await link(boss, zhang.id, { op: 'link', channel: 'dingtalk', externalId: 'zs-ding' })).json<Answer>();
    expect(res.notice).toEqual({ message: '已将钉钉账号 zs-ding 关联到操作员 张三', type: 'success' });
    expect(JSON.parse(String(res.record.params.identitiesJson))).toEqual([
      { channel: 'dingtalk', externalId: 'zs-ding', label: '钉钉' },
    ]);
    expect((await operatorByIdentity(h.core, 'dingtalk', 'zs-ding'))?.id).toBe(zhang.id);
    await link(boss, zhang.id, { op: 'link', channel: 'feishu', externalId: 'ou_zhang' });
    const show = (await boss.action('operators', zhang.id, 'show')).json<Answer>();
    expect(show.record.params.identities).toBe('钉钉: zs-ding\n飞书: ou_zhang');
    const list = (await boss.list('operators')).json<Answer>();
    expect(list.records!.find((r) => Number(r.id) === li.id)?.params.identities).toBe('企业微信: lisi');
    const audit = (await h.core.models.AuditEvent.findOne({ order: [['id', 'DESC']] }))!;
    expect(audit).toMatchObject({ action: 'operator.identity.link', door: 'admin', operatorName: 'id-boss' });
  });

  it('unlinks by POST', async () => {
    // An operator of this test's own, with a feishu account to unlink.
    const wu = await h.operator('王五', ['sales'], { feishu: 'ou_wangwu' });
    expect((await operatorByIdentity(h.core, 'feishu', 'ou_wangwu'))?.id).toBe(wu.id);
    const res = (await link(boss, wu.id, { op: 'unlink', channel: 'feishu' })).json<Answer>();
    expect(res.notice).toEqual({ message: '已解除操作员 王五 的飞书账号 ou_wangwu', type: 'success' });
    expect(await operatorByIdentity(h.core, 'feishu', 'ou_wangwu')).toBeNull();
    const again = (await link(boss, wu.id, { op: 'unlink', channel: 'feishu' })).json<Answer>();
    expect(again.notice!.message).toBe('操作员 王五 没有关联飞书账号, 无需解除。');
  });
});

eachDialect('back office: 关联聊天账号, what it refuses', (h) => {
  let server: AdminServer, boss: AdminClient, sales: AdminClient, zhang: Operator, li: Operator;
  beforeAll(async () => {
    ({ server, boss, sales, zhang, li } = await identitiesDesk(h));
  });
  afterAll(async () => server?.close());

  it("shows core's refusal on the form: an account taken by another operator, a bad channel, an empty id", async () => {
    const taken = (await link(boss, zhang.id, { op: 'link', channel: 'wecom', externalId: 'lisi' })).json<Answer>();
    expect(taken.notice!.type).toBe('error');
    expect(taken.notice!.message).toContain('该企业微信账号已关联到操作员 李四');
    expect(taken.record.errors.externalId!.message).toContain('该企业微信账号已关联到操作员 李四');
    const bad = (await link(boss, zhang.id, { op: 'link', channel: 'We Chat', externalId: 'x' })).json<Answer>();
    expect(bad.record.errors.channel!.message).toContain('不认识的聊天渠道');
    const empty = (await link(boss, zhang.id, { op: 'link', channel: 'wecom', externalId: '  ' })).json<Answer>();
    expect(empty.record.errors.externalId!.message).toContain('企业微信账号 ID 必填');
    expect((await operatorByIdentity(h.core, 'wecom', 'lisi'))?.id).toBe(li.id);
  });

  it('changes nothing on GET, for a non-admin, or from another site', async () => {
    await boss.get(
      `/admin/api/resources/operators/records/${zhang.id}/linkIdentity?op=link&channel=wecom&externalId=evil`,
    );
    expect(await operatorByIdentity(h.core, 'wecom', 'evil')).toBeNull();
    expect((await link(sales, zhang.id, { op: 'link', channel: 'wecom', externalId: 'evil' })).status).toBe(403);
    const form = new FormData();
    form.set('op', 'link');
    form.set('channel', 'wecom');
    form.set('externalId', 'evil');
    const cookie = [...boss.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    const cross = await fetch(`${server.url}/admin/api/resources/operators/records/${zhang.id}/linkIdentity`, {
      method: 'POST',
      body: form,
      redirect: 'manual',
      headers: { cookie, 'x-forwarded-for': boss.ip, origin: 'http://evil.example' },
    });
    expect(cross.status).toBe(403);
    expect(await operatorByIdentity(h.core, 'wecom', 'evil')).toBeNull();
  });

  it('no longer has per-vendor id fields on the operator form', async () => {
    // Its own operator: the rename below must not change the ones the other tests use.
    const zhao = await h.operator('赵六', ['sales']);
    const edit = (await boss.action('operators', zhao.id, 'edit')).json<Answer>();
    expect(Object.keys(edit.record.params)).not.toEqual(expect.arrayContaining(['wecomUserId']));
    const saved = (
      await boss.action('operators', zhao.id, 'edit', { displayName: '赵六丰', wecomUserId: 'sneaky' })
    ).json<Answer>();
    expect(saved.notice!.type).toBe('success');
    expect(await operatorByIdentity(h.core, 'wecom', 'sneaky')).toBeNull();
  });
});
