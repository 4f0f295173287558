import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { eachDialect } from '../helpers/db.js';
import { startBotApp, type BotApp } from '../helpers/bot-app.js';
import { sealed, textXml } from '../helpers/wecom.js';
import { consoleSay } from '../../bot/console.js';
import { operatorByIdentity } from '../../core/operators.js';
import { newCustomer } from '../core/fixtures.js';

eachDialect('slow work from chat', (h) => {
  let app: BotApp;
  beforeAll(async () => {
    // A passive-reply window of 0.3 s instead of FAST_REPLY_MS's 2 s, so the work below is slow after 0.8 s.
    app = await startBotApp(h, { fastReplyMs: 300 });
  });
  afterAll(async () => app?.close());
  let seq = 0;

  it('acknowledges work slower than the passive-reply window at once and pushes the result when done', async () => {
    let doneAt = Infinity;
    app.bot.deps.registry.register({
      id: 'test.slow',
      name: '慢命令',
      args: [],
      permission: 'view',
      sideEffect: false,
      summary: '测试用',
      example: '慢命令',
      run: async () => {
        await new Promise((r) => setTimeout(r, 800));
        doneAt = Date.now();
        return { text: '慢命令完成了' };
      },
    });
    const s = sealed(textXml('demo-sales', '慢命令', `77${++seq}`));
    const res = await app.request(`/webhooks/wecom?${s.query}`, { method: 'POST', body: s.body });
    // Answered (empty: the result comes later) while the work was still running.
    expect([res.status, res.text, Date.now() < doneAt]).toEqual([200, '', true]);
    await app.fake.waitFor((calls) =>
      calls.some(
        (c) =>
          c.path === '/cgi-bin/message/send' &&
          (c.body.text as { content?: string } | undefined)?.content === '慢命令完成了',
      ),
    );
    const pushed = app.fake
      .to('/cgi-bin/message/send')
      .find((c) => (c.body.text as { content?: string } | undefined)?.content === '慢命令完成了')!;
    expect(pushed.body.touser).toBe('demo-sales');
  });
});

eachDialect('create and edit from chat', (h) => {
  let app: BotApp;
  beforeAll(async () => {
    app = await startBotApp(h);
  });
  afterAll(async () => app?.close());
  const say = async (who: string, text: string) =>
    (await consoleSay(app.bot.deps, { as: who, door: 'wecom', group: false }, { text })).map((r) => r.text).join('\n');

  it('新建客户 warns about a duplicate and creates only after 确认 新建', async () => {
    const existing = await h.core.models.Customer.findOne({ where: { status: 'active' }, order: [['id', 'ASC']] });
    const before = await h.core.models.Customer.count();
    const warn = await say('demo-sales', `新建客户 名称=${existing!.name} 联系人=张三 手机=13800138000 分类=经销商`);
    expect(warn).toContain(`可能与已有客户重复:\n• ${existing!.code} ${existing!.name} (相同名称)`);
    expect(await h.core.models.Customer.count()).toBe(before);
    const done = await say('demo-sales', '确认 新建');
    expect(done).toMatch(/^已新建客户 C\d{8} /);
    expect(await h.core.models.Customer.count()).toBe(before + 1);
    const fresh = await say('demo-sales', '新建客户 名称=宁波甬江新材料有限公司 手机=１３９-００００-１１１１');
    const code = /已新建客户 (C\d{8})/.exec(fresh)![1]!;
    const row = await h.core.models.Customer.findOne({ where: { code } });
    const sales = await operatorByIdentity(h.core, 'wecom', 'demo-sales');
    expect(row!.ownerId).toBe(sales!.id);
    expect(await say('demo-sales', '新建客户 名称=坏手机公司 手机=abc')).toBe(
      '输入有误 — 手机/电话格式不对, 应为 5–20 位数字',
    );
  });

  it('修改客户 shows the changed fields; unknown fields and bad values are refused', async () => {
    // Its own customer, owned by demo-sales, with a contact and a note to change.
    const sales = await operatorByIdentity(h.core, 'wecom', 'demo-sales');
    const admin = await h.actor('编辑测试管理员', ['admin']);
    const c = await newCustomer(h, admin, { ownerId: sales!.id, contact: '王五', note: '原备注' });
    expect(await say('demo-sales', `修改客户 ${c.code} 联系人=李娜 备注=改过`)).toMatch(
      new RegExp(`^已修改客户 ${c.code}:\\n• 联系人: .+ → 李娜\\n• 备注: .+ → 改过$`),
    );
    expect(await say('demo-sales', `修改客户 ${c.code} 颜色=红`)).toBe(
      '不认识的字段「颜色」。可用字段: 名称、联系人、手机、地址、分类、区域、备注、负责人、编码。',
    );
    expect(await say('demo-sales', `修改客户 ${c.code} 分类=土豪`)).toBe(
      '输入有误 — 客户分类「土豪」不在客户分类表中。可选: 经销商、批发商、零售商、终端客户、电商、其他; 如需新增请联系管理员。',
    );
  });
});

eachDialect('the DingTalk custom robot', (h) => {
  let app: BotApp;
  beforeAll(async () => {
    // No app key: group notices can only go through the custom robot.
    app = await startBotApp(h, {
      env: (fakeUrl) => ({
        DINGTALK_GROUP_WEBHOOK: `${fakeUrl}/robot/send?access_token=abc`,
        DINGTALK_GROUP_SECRET: 'SECtestsecret',
        DINGTALK_APP_KEY: undefined,
      }),
    });
  });
  afterAll(async () => app?.close());

  it('sends group notices through the DingTalk custom robot with 加签', async () => {
    await h.core.models.StewardMeta.destroy({ where: { key: 'group:dingtalk' } });
    await app.bot.deps.notifier.toGroup({ text: '机器人加签测试' });
    app.bot.dispatcher.kick();
    await app.fake.waitFor((calls) => calls.some((c) => c.path === '/robot/send'));
    const call = app.fake.to('/robot/send').at(-1)!;
    expect(call.query.access_token).toBe('abc');
    expect(call.query.timestamp).toMatch(/^\d{13}$/);
    const { dingtalkRobotSign } = await import('../../bot/crypto/dingtalk-sign.js');
    expect(call.query.sign).toBe(dingtalkRobotSign(call.query.timestamp!, 'SECtestsecret'));
    expect((call.body.text as { content: string }).content).toBe('机器人加签测试');
  });
});
