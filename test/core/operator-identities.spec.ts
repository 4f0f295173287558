import { beforeAll, beforeEach, expect, it } from '@jest/globals';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { verifyAuditChain } from '../../core/audit.js';
import { importCustomers } from '../../core/data/import.js';
import type { Actor } from '../../core/context.js';
import { DomainError } from '../../core/errors.js';
import { findOperator, identitiesOf, linkIdentity, operatorByIdentity, unlinkIdentity } from '../../core/operators.js';
import type { Operator } from '../../models/index.js';
import { eachDialect, type Harness } from '../helpers/db.js';

async function refusal(p: Promise<unknown>): Promise<DomainError> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(DomainError);
  return err as DomainError;
}

let admin: Actor;
let zhang: Operator;
let li: Operator;

/** An admin (back office), 张三 and 李四 (sales); each block gets its own database. */
function setupOperators(h: Harness): void {
  beforeAll(async () => {
    admin = await h.actor('身份管理员', ['admin'], 'admin');
    zhang = await h.operator('张三', ['sales']);
    li = await h.operator('李四', ['sales']);
  });
}

eachDialect('operator identities: linking chat accounts to operators', (h) => {
  setupOperators(h);
  // Each test starts with 张三 and 李四 unlinked and links what it needs itself.
  beforeEach(async () => {
    await h.core.models.OperatorIdentity.destroy({ where: { operatorId: [zhang.id, li.id] } });
  });
  linkAndRefuse(h);
  replaceAndUnlink(h);
});

/** Links wecom zhangsan to 张三, and refuses it (and his feishu and slack accounts) for 李四. */
function linkAndRefuse(h: Harness): void {
  const lastAudit = async () => (await h.core.models.AuditEvent.findOne({ order: [['id', 'DESC']] }))!;

  it('links an account, finds the operator by it, and records who did it in the audit trail', async () => {
    const result = await linkIdentity(h.core, admin, zhang.id, 'wecom', ' zhangsan ');
    expect(result).toMatchObject({ identity: { channel: 'wecom', externalId: 'zhangsan' }, replaced: null });
    expect((await operatorByIdentity(h.core, 'wecom', 'zhangsan'))?.displayName).toBe('张三');
    // Ids are per channel: the same id elsewhere is nobody yet.
    expect(await operatorByIdentity(h.core, 'dingtalk', 'zhangsan')).toBeNull();
    const event = await lastAudit();
    expect(event).toMatchObject({
      action: 'operator.identity.link',
      door: 'admin',
      operatorName: '身份管理员',
      customerId: null,
    });
    expect(JSON.parse(event.diff)).toMatchObject({
      info: { operatorId: zhang.id, channel: 'wecom', externalId: 'zhangsan' },
    });
    expect((await verifyAuditChain(h.core)).ok).toBe(true);
  });

  it('refuses an account already linked to someone else, naming that operator, and changes nothing', async () => {
    await linkIdentity(h.core, admin, zhang.id, 'wecom', 'zhangsan');
    const before = await h.core.models.AuditEvent.count();
    const err = await refusal(linkIdentity(h.core, admin, li.id, 'wecom', 'zhangsan'));
    expect(err.code).toBe('CONFLICT');
    expect(err.message).toContain('该企业微信账号已关联到操作员 张三');
    expect(err.details.field).toBe('externalId');
    expect((await operatorByIdentity(h.core, 'wecom', 'zhangsan'))?.id).toBe(zhang.id);
    expect((await identitiesOf(h.core, [li.id])).get(li.id)).toBeUndefined();
    expect(await h.core.models.AuditEvent.count()).toBe(before);
    // Feishu and any other channel are named too (飞书, else the id).
    await linkIdentity(h.core, admin, zhang.id, 'feishu', 'ou_zhang');
    expect((await refusal(linkIdentity(h.core, admin, li.id, 'feishu', 'ou_zhang'))).message).toContain(
      '该飞书账号已关联到操作员 张三',
    );
    await linkIdentity(h.core, admin, zhang.id, 'slack', 'U123');
    expect((await refusal(linkIdentity(h.core, admin, li.id, 'slack', 'U123'))).message).toContain(
      '该slack账号已关联到操作员 张三',
    );
  });
}

/** Replaces 张三's wecom account, frees the old one, and unlinks his slack account (each linking what it needs first). */
function replaceAndUnlink(h: Harness): void {
  const lastAudit = async () => (await h.core.models.AuditEvent.findOne({ order: [['id', 'DESC']] }))!;

  it("replaces an operator's earlier account on the same channel, keeping one per channel", async () => {
    for (const [channel, id] of [
      ['wecom', 'zhangsan'],
      ['feishu', 'ou_zhang'],
      ['slack', 'U123'],
    ])
      await linkIdentity(h.core, admin, zhang.id, channel!, id!);
    const r = await linkIdentity(h.core, admin, zhang.id, 'wecom', 'zhangsan2');
    expect(r.replaced).toBe('zhangsan');
    expect(await operatorByIdentity(h.core, 'wecom', 'zhangsan')).toBeNull();
    expect((await identitiesOf(h.core, [zhang.id])).get(zhang.id)).toEqual([
      { channel: 'feishu', externalId: 'ou_zhang' },
      { channel: 'slack', externalId: 'U123' },
      { channel: 'wecom', externalId: 'zhangsan2' },
    ]);
    expect(JSON.parse((await lastAudit()).diff)).toMatchObject({
      info: { channel: 'wecom', externalId: 'zhangsan2', replaced: 'zhangsan' },
    });
    // The old id is free again for someone else.
    await linkIdentity(h.core, admin, li.id, 'wecom', 'zhangsan');
    expect((await operatorByIdentity(h.core, 'wecom', 'zhangsan'))?.displayName).toBe('李四');
  });

  it('unlinks, with an audit event; unlinking what is not there is a clear refusal', async () => {
    await linkIdentity(h.core, admin, zhang.id, 'slack', 'U123');
    const r = await unlinkIdentity(h.core, admin, zhang.id, 'slack');
    expect(r.identity).toEqual({ channel: 'slack', externalId: 'U123' });
    expect(await operatorByIdentity(h.core, 'slack', 'U123')).toBeNull();
    const event = await lastAudit();
    expect(event.action).toBe('operator.identity.unlink');
    expect(JSON.parse(event.diff)).toMatchObject({
      info: { operatorId: zhang.id, channel: 'slack', externalId: 'U123' },
    });
    const err = await refusal(unlinkIdentity(h.core, admin, zhang.id, 'dingtalk'));
    expect(err.code).toBe('NOT_FOUND');
    expect(err.message).toBe('操作员 张三 没有关联钉钉账号, 无需解除。');
  });
}

eachDialect('operator identities: refusals, inactive and deleted operators', (h) => {
  setupOperators(h);

  it('refuses a malformed channel id or account id, an unknown operator, and a non-admin', async () => {
    for (const bad of ['WeCom', 'w', '企业微信', '1wecom', 'wecom/../x', '']) {
      const err = await refusal(linkIdentity(h.core, admin, zhang.id, bad, 'x'));
      expect(err.code).toBe('VALIDATION');
      expect(err.message).toContain('不认识的聊天渠道');
    }
    for (const bad of ['', '   ', 'a\nb', 'x'.repeat(129)])
      expect((await refusal(linkIdentity(h.core, admin, zhang.id, 'dingtalk', bad))).message).toContain(
        '钉钉账号 ID 必填',
      );
    expect((await refusal(linkIdentity(h.core, admin, 999999, 'dingtalk', 'zz'))).message).toBe(
      '找不到操作员 #999999。',
    );
    const sales: Actor = { operator: li, door: 'admin' };
    const err = await refusal(linkIdentity(h.core, sales, li.id, 'dingtalk', 'lisi'));
    expect(err.code).toBe('NOT_PERMITTED');
    expect(err.message).toContain('管理操作员');
    expect(await operatorByIdentity(h.core, 'dingtalk', 'lisi')).toBeNull();
  });

  it('finds only active operators by identity; a deactivated operator keeps the link but is not recognised', async () => {
    const wang = await h.operator('王停用', ['sales'], { dingtalk: 'wang-ding' });
    expect((await operatorByIdentity(h.core, 'dingtalk', 'wang-ding'))?.id).toBe(wang.id);
    await wang.update({ active: false });
    expect(await operatorByIdentity(h.core, 'dingtalk', 'wang-ding')).toBeNull();
    expect((await identitiesOf(h.core, [wang.id, zhang.id, 424242])).get(wang.id)).toEqual([
      { channel: 'dingtalk', externalId: 'wang-ding' },
    ]);
    expect((await refusal(linkIdentity(h.core, admin, li.id, 'dingtalk', 'wang-ding'))).message).toContain(
      '已关联到操作员 王停用',
    );
  });

  it('deleting an operator row removes its identities (ON DELETE CASCADE)', async () => {
    const temp = await h.operator('临时工', ['viewer'], { feishu: 'ou_temp' });
    await temp.destroy();
    expect(await h.core.models.OperatorIdentity.count({ where: { externalId: 'ou_temp' } })).toBe(0);
  });
});

eachDialect('operator identities: concurrent links, findOperator, imports', (h) => {
  setupOperators(h);

  it('concurrent links of one account to two operators: exactly one wins, the other gets the named conflict', async () => {
    const a = await h.operator('并发甲', ['sales']);
    const b = await h.operator('并发乙', ['sales']);
    const results = await Promise.allSettled([
      linkIdentity(h.core, admin, a.id, 'feishu', 'ou_race'),
      linkIdentity(h.core, admin, b.id, 'feishu', 'ou_race'),
    ]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const lost = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
    expect(lost.reason).toBeInstanceOf(DomainError);
    expect((lost.reason as DomainError).message).toMatch(/^该飞书账号已关联到操作员 并发(甲|乙)/);
    expect(await h.core.models.OperatorIdentity.count({ where: { channel: 'feishu', externalId: 'ou_race' } })).toBe(1);
  });

  it('findOperator takes an id, an e-mail or a unique name', async () => {
    expect((await findOperator(h.core, String(zhang.id))).id).toBe(zhang.id);
    expect((await findOperator(h.core, `#${li.id}`)).id).toBe(li.id);
    await zhang.update({ email: 'zhang@example.com' });
    expect((await findOperator(h.core, ' Zhang@Example.com ')).id).toBe(zhang.id);
    expect((await findOperator(h.core, '李四')).id).toBe(li.id);
    expect((await refusal(findOperator(h.core, '没有这个人'))).message).toBe(
      '找不到操作员「没有这个人」: 请填写操作员编号、登录邮箱或姓名。',
    );
    await h.core.models.Operator.create({
      displayName: '李四',
      roles: 'viewer',
      email: null,
      passwordHash: null,
      active: true,
    });
    expect((await refusal(findOperator(h.core, '李四'))).message).toMatch(/^有 2 位操作员都叫「李四」/);
  });

  it('an import names a 负责人 by any linked chat account id', async () => {
    const owner = await h.operator('钉钉负责人', ['sales'], { dingtalk: 'owner-ding', feishu: 'ou_owner' });
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'steward-ids-')), 'owners.csv');
    fs.writeFileSync(
      file,
      '客户名称,负责人\r\n按钉钉账号公司,owner-ding\r\n按飞书账号公司,ou_owner\r\n没人公司,nobody-ding\r\n',
    );
    const report = await importCustomers(h.core, admin, file, { commit: true, partial: true });
    expect(report.errors).toEqual([
      {
        row: 4,
        column: '负责人',
        message: expect.stringContaining(
          '负责人「nobody-ding」不是系统里的操作员; 请填操作员姓名、邮箱或已关联的聊天账号',
        ),
      },
    ]);
    const owned = await h.core.models.Customer.findAll({ where: { ownerId: owner.id } });
    expect(owned.map((c) => c.name).sort()).toEqual(['按钉钉账号公司', '按飞书账号公司']);
  });
});
