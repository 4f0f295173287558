import { fn, col } from 'sequelize';
import { STATUS_LABELS } from '../../core/customers/view.js';
import type { CustomerStatus } from '../../models/index.js';
import type { CommandSpec } from './registry.js';

export const statsCommand: CommandSpec = {
  id: 'stats',
  name: '统计',
  english: 'stats',
  args: [],
  permission: 'view',
  sideEffect: false,
  summary: '客户关键数据: 各状态数量、待审批、回收站',
  example: '统计',
  async run(ctx) {
    const { Customer, ApprovalRequest, RecycleEntry } = ctx.core.models;
    const rows = (await Customer.findAll({ attributes: ['status', [fn('COUNT', col('id')), 'n']], group: ['status'], raw: true })) as unknown as { status: CustomerStatus; n: number | string }[];
    const counts = Object.fromEntries(rows.map((r) => [r.status, Number(r.n)])) as Record<string, number>;
    const pending = await ApprovalRequest.count({ where: { status: 'pending' } });
    const bin = await RecycleEntry.count({ where: { restoredAt: null, purgedAt: null } });
    const lines = (['active', 'inactive', 'deleted'] as const).map((s) => `${STATUS_LABELS[s]}: ${counts[s] ?? 0}`);
    return { text: `客户统计\n${lines.join('  ')}\n待审批删除申请: ${pending}\n回收站: ${bin}` };
  },
};

export const inactiveCommand: CommandSpec = {
  id: 'review.inactive',
  name: '不活跃客户',
  english: 'inactive',
  args: [{ name: 'days', label: '天数' }],
  permission: 'view',
  sideEffect: false,
  summary: '列出长期没有下单的客户',
  example: '不活跃客户 180',
  async run() {
    return { text: '「不活跃客户」审查功能还没有上线, 敬请期待。现在可以用「客户 名称」逐个查看最近下单时间。' };
  },
};
