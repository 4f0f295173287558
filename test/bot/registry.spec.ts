import { describe, expect, it } from '@jest/globals';
import { buildRegistry } from '../../bot/commands/index.js';
import { normalizeInput } from '../../bot/commands/parse.js';
import { CommandRegistry, type CommandSpec } from '../../bot/commands/registry.js';

const spec = (over: Partial<CommandSpec>): CommandSpec => ({
  id: 'x',
  name: '测试',
  args: [],
  permission: 'view',
  sideEffect: false,
  summary: '测试命令',
  example: '测试',
  run: async () => ({ text: '' }),
  ...over,
});

describe('command registry: what it refuses', () => {
  it('refuses a duplicate id at start-up', () => {
    const r = new CommandRegistry().register(spec({ id: 'a', name: '甲' }));
    expect(() => r.register(spec({ id: 'a', name: '乙' }))).toThrow('duplicate command id: a');
  });

  it('refuses an alias that another command already uses', () => {
    const r = new CommandRegistry().register(spec({ id: 'a', name: '甲', aliases: ['查'] }));
    expect(() => r.register(spec({ id: 'b', name: '乙', english: '查' }))).toThrow(
      'ambiguous command name "查": used by a and b',
    );
  });

  it('refuses a confirmation on a command without a side effect', () => {
    const confirm = { label: '测试', key: () => 'k', act: async () => ({ text: '' }) };
    expect(() => new CommandRegistry().register(spec({ id: 'c', name: '丙', confirm }))).toThrow(
      'command c has a confirmation but no side effect',
    );
  });
});

describe('command registry: the real commands and their help', () => {
  it('builds the real registry without conflicts and generates help from it', () => {
    const r = buildRegistry();
    const help = r.help();
    for (const name of [
      '客户',
      '新建客户',
      '修改客户',
      '停用客户',
      '启用客户',
      '删除客户',
      '恢复客户',
      '回收站',
      '待审批',
      '同意',
      '拒绝',
      '不活跃客户',
      '统计',
      '帮助',
    ]) {
      expect(help).toContain(`• ${name}`);
    }
    expect(help).toContain('• 停用客户 <编码> [原因] [备注]');
    expect(help).not.toContain('• 确认');
  });

  it('takes each confirm button label from the command that proposes', () => {
    const labels = Object.fromEntries(
      buildRegistry()
        .list()
        .filter((s) => s.confirm)
        .map((s) => [s.id, s.confirm!.label]),
    );
    expect(labels).toEqual({
      'customer.create': '新建',
      'customer.deactivate': '停用',
      'customer.delete': '删除',
      'customer.restore': '恢复',
      'review.deactivate-all': '全部停用',
      'ledger.cancel-order': '取消订单',
      'ledger.payment': '收款',
      'ledger.release': '释放',
      'customer.merge': '合并',
      'merge.undo': '撤销合并',
      'codes.recode': '改编码',
      'customer.import': '导入',
    });
  });
});

describe('command registry: reading a command', () => {
  it('shows one command with its example', () => {
    const r = buildRegistry();
    expect(r.helpFor(r.get('customer.delete')!)).toBe(
      '删除客户 <编码> [原因]\n申请删除客户: 先检查未了结业务, 确认后交审批人审批, 删除后进回收站可恢复; 可加 备注=处理说明\n别名: delete\n例如: 删除客户 C20260012 重复录入 备注=订单已在ERP取消',
    );
  });

  it('binds positional and named arguments, with or without a space after the name', () => {
    const r = buildRegistry();
    const a = r.match('停用客户 C001 原因=客户要求 备注=搬迁')!;
    expect([a.spec.id, a.args.code, a.args.reason, a.args.memo]).toEqual([
      'customer.deactivate',
      'C001',
      '客户要求',
      '搬迁',
    ]);
    const b = r.match('停用客户C001 信用风险 逾期三个月 未付')!;
    expect([b.args.code, b.args.reason, b.args.memo]).toEqual(['C001', '信用风险', '逾期三个月 未付']);
    expect(r.match('DELETE c001 dup')!.spec.id).toBe('customer.delete');
    expect(r.match('删除客户')!.missing?.label).toBe('编码');
    const c = r.match('停用 客户 C001 客户要求')!;
    expect([c.spec.id, c.args.code, c.args.reason]).toEqual(['customer.deactivate', 'C001', '客户要求']);
    expect(r.match('客户 明辉')!.args.query).toBe('明辉');
    expect(r.match('你好 世界')).toBeNull();
  });

  it('suggests the closest command for a typo, and nothing for noise', () => {
    const r = buildRegistry();
    expect(r.suggest('停用客')?.name).toBe('停用客户');
    expect(r.suggest('😀')).toBeNull();
  });
});

describe('input normalisation', () => {
  it('accepts full-width text, a leading @bot, Chinese colons and extra spaces', () => {
    expect(normalizeInput('@客户管家  停用客户　Ｃ００１  原因：客户要求')).toBe('停用客户 C001 原因:客户要求');
    expect(normalizeInput('\u0007客户\u0000 C001\u200b')).toBe('客户 C001');
    expect(normalizeInput('@客户管家')).toBe('');
  });
});
