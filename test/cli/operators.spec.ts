import { beforeAll, expect, it } from '@jest/globals';
import { registerOperators } from '../../cli/commands/operators.js';
import { operatorByIdentity } from '../../core/operators.js';
import type { Operator } from '../../models/index.js';
import { eachDialect, type Harness } from '../helpers/db.js';
import { runSteward } from '../helpers/steward-cli.js';

/** The CLI runs as this operator (cli-admin, created by startOperatorsCli). */
const CLI_OPERATOR = { STEWARD_OPERATOR: 'cli-admin@test.local' };

/** Creates cli-admin (the CLI's operator); 张三 has an e-mail, 李四 a DingTalk account. Returns 张三. */
async function startOperatorsCli(h: Harness): Promise<Operator> {
  await h.operator('cli-admin', ['admin']);
  const zhang = await (await h.operator('张三', ['sales'])).update({ email: 'zhang@example.com' });
  await h.operator('李四', ['sales'], { dingtalk: 'lisi-ding' });
  return zhang;
}

eachDialect('steward operators list|link|unlink (in process, on the test database)', CLI_OPERATOR, (h) => {
  let zhang: Operator;
  beforeAll(async () => {
    zhang = await startOperatorsCli(h);
  });
  const steward = (...argv: string[]) => runSteward(registerOperators, h.core, argv);
  /** steward operators link --operator … --channel … --external-id … [more] */
  const link = (operator: string, channel: string, externalId: string, ...more: string[]) =>
    steward('operators', 'link', '--operator', operator, '--channel', channel, '--external-id', externalId, ...more);

  it('link by name, e-mail or id; the bot then knows the person on that channel; the audit trail names the CLI', async () => {
    const r = await link('张三', 'wecom', 'zhangsan');
    expect(r).toMatchObject({ code: 0, err: '' });
    expect(r.out).toBe(`已将企业微信账号 zhangsan 关联到操作员 张三 (#${zhang.id})。\n`);
    expect((await operatorByIdentity(h.core, 'wecom', 'zhangsan'))?.id).toBe(zhang.id);
    const event = (await h.core.models.AuditEvent.findOne({ order: [['id', 'DESC']] }))!;
    expect(event).toMatchObject({ action: 'operator.identity.link', door: 'cli', operatorName: 'cli-admin' });
    expect((await link(String(zhang.id), 'feishu', 'ou_zhang')).code).toBe(0);
    const again = await link(zhang.email!, 'wecom', 'zhangsan-new');
    expect(again.out).toContain('替换了原账号 zhangsan');
  });

  it('list shows every operator with its accounts; --json gives them structured', async () => {
    // An operator of this test's own, with two chat accounts.
    const sun = await (
      await h.operator('孙七', ['sales'], { feishu: 'ou_sun', wecom: 'sunqi' })
    ).update({
      email: 'sun@example.com',
    });
    const r = await steward('operators', 'list');
    expect(r.code).toBe(0);
    expect(r.out).toContain(`#${sun.id}\t孙七\t${sun.email}\tsales\t飞书(feishu): ou_sun, 企业微信(wecom): sunqi\n`);
    expect(r.out).toMatch(/\t李四\t.*\t钉钉\(dingtalk\): lisi-ding\n/);
    expect(r.out).toMatch(/\tcli-admin\t.*\t未关联聊天账号\n/);
    const json = JSON.parse((await steward('operators', 'list', '--json')).out) as {
      displayName: string;
      identities: unknown[];
    }[];
    expect(json.find((o) => o.displayName === '李四')?.identities).toEqual([
      { channel: 'dingtalk', externalId: 'lisi-ding' },
    ]);
  });

  it('unlink removes the account; the bot no longer knows that id', async () => {
    // An operator of this test's own, with a feishu account to unlink.
    const zhou = await h.operator('周八', ['sales'], { feishu: 'ou_zhou' });
    expect((await operatorByIdentity(h.core, 'feishu', 'ou_zhou'))?.id).toBe(zhou.id);
    const r = await steward('operators', 'unlink', '--operator', '周八', '--channel', 'feishu');
    expect(r.code).toBe(0);
    expect(r.out).toBe(`已解除操作员 周八 (#${zhou.id}) 的飞书账号 ou_zhou。\n`);
    expect(await operatorByIdentity(h.core, 'feishu', 'ou_zhou')).toBeNull();
    expect((await steward('operators', 'unlink', '--operator', '周八', '--channel', 'feishu')).err).toContain(
      '没有关联飞书账号',
    );
  });
});

eachDialect('steward operators: refusals, --as, and set (in process, on the test database)', CLI_OPERATOR, (h) => {
  let zhang: Operator;
  beforeAll(async () => {
    zhang = await startOperatorsCli(h);
  });
  const steward = (...argv: string[]) => runSteward(registerOperators, h.core, argv);
  /** steward operators link --operator … --channel … --external-id … [more] */
  const link = (operator: string, channel: string, externalId: string, ...more: string[]) =>
    steward('operators', 'link', '--operator', operator, '--channel', channel, '--external-id', externalId, ...more);

  it('refuses, in Chinese and with a non-zero exit, an account linked to someone else, a bad channel, an unknown operator', async () => {
    const taken = await link('张三', 'dingtalk', 'lisi-ding');
    expect(taken.code).toBe(1);
    expect(taken.err).toContain('错误: 该钉钉账号已关联到操作员 李四');
    expect(taken.out).toBe('');
    const bad = await link('张三', 'WeChat', 'x');
    expect(bad.code).toBe(1);
    expect(bad.err).toContain('不认识的聊天渠道「WeChat」');
    const nobody = await steward('operators', 'unlink', '--operator', '王五', '--channel', 'wecom');
    expect(nobody.err).toContain('找不到操作员「王五」');
    const missing = await steward('operators', 'link', '--operator', '张三', '--channel', 'wecom');
    expect(missing.code).not.toBe(0);
    expect(missing.err).toContain('--external-id');
  });

  it('refuses a non-admin acting through --as, and acts as a chat account given to --as', async () => {
    const r = await link('张三', 'feishu', 'ou_x', '--as', 'lisi-ding');
    expect(r.code).toBe(1);
    expect(r.err).toContain('李四 没有「管理操作员」权限');
    expect(await operatorByIdentity(h.core, 'feishu', 'ou_x')).toBeNull();
  });

  it('set changes an operator through core (roles by Chinese name, audited as the CLI); an admin cannot lock themselves out', async () => {
    const r = await steward('operators', 'set', '--operator', '张三', '--roles', '销售,审批人');
    expect(r).toMatchObject({ code: 0, err: '' });
    expect(r.out).toBe(`已修改操作员 张三 (#${zhang.id}): ${zhang.email}, 角色 销售、审批人。\n`);
    expect((await zhang.reload()).roleList()).toEqual(['sales', 'approver']);
    const event = (await h.core.models.AuditEvent.findOne({ order: [['id', 'DESC']] }))!;
    expect(event).toMatchObject({ action: 'operator.edit', door: 'cli', operatorName: 'cli-admin' });
    const self = await steward('operators', 'set', '--operator', 'cli-admin@test.local', '--active', 'false');
    expect(self.code).toBe(1);
    expect(self.err).toContain('不能停用自己的账号');
    const demote = await steward('operators', 'set', '--operator', 'cli-admin@test.local', '--roles', 'sales');
    expect(demote.err).toContain('不能去掉自己的管理员角色');
    const bad = await steward('operators', 'set', '--operator', '张三', '--email', 'not-an-email', '--roles', '老板');
    expect(bad.err).toContain('邮箱格式不对');
    expect(bad.err).toContain('不认识: 老板');
    expect((await steward('operators', 'set', '--operator', '张三')).err).toContain('请至少指定一项修改');
  });
});
