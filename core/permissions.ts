import type { Role } from '../models/index.js';
import type { OperatorLike } from './context.js';
import { DomainError } from './errors.js';

/** Everything an operator can be allowed to do. */
export const ACTIONS = [
  'view',
  'create',
  'edit',
  'deactivate',
  'reactivate',
  'requestDeletion',
  'approve',
  'restore',
  'purge',
  'import',
  'export',
  'backup',
  'restoreBackup',
  'revealPersonal',
  'manageOperators',
  'orders',
  'payments',
  'integrations',
  'merge',
  'manageLists',
] as const;
export type Action = (typeof ACTIONS)[number];

/** The one permission table. Doors hide what it forbids; core refuses it regardless. */
export const PERMISSIONS: Record<Action, readonly Role[]> = {
  view: ['admin', 'approver', 'sales', 'finance', 'viewer'],
  create: ['admin', 'sales'],
  edit: ['admin', 'sales'],
  deactivate: ['admin', 'sales', 'finance'],
  reactivate: ['admin', 'sales', 'finance'],
  requestDeletion: ['admin', 'sales', 'finance'],
  approve: ['admin', 'approver'],
  restore: ['admin', 'approver'],
  purge: ['admin'],
  import: ['admin', 'sales'],
  export: ['admin', 'finance', 'sales'],
  backup: ['admin'],
  restoreBackup: ['admin'],
  revealPersonal: ['admin', 'finance'],
  manageOperators: ['admin'],
  orders: ['admin', 'sales'],
  payments: ['admin', 'finance'],
  integrations: ['admin'],
  merge: ['admin', 'sales', 'finance'],
  manageLists: ['admin'],
};

export const ACTION_LABELS: Record<Action, string> = {
  view: '查看客户',
  create: '新建客户',
  edit: '修改客户',
  deactivate: '停用客户',
  reactivate: '启用客户',
  requestDeletion: '申请删除客户',
  approve: '审批删除',
  restore: '恢复客户',
  purge: '彻底清除',
  import: '导入客户',
  export: '导出客户',
  backup: '备份',
  restoreBackup: '从备份还原',
  revealPersonal: '查看完整个人信息',
  manageOperators: '管理操作员',
  orders: '办理订单和预留',
  payments: '登记收款',
  integrations: '管理系统对接 (API 令牌、Webhook 订阅)',
  merge: '合并重复客户',
  manageLists: '管理客户分类和区域',
};

export const ROLE_LABELS: Record<Role, string> = {
  admin: '管理员',
  approver: '审批人',
  sales: '销售',
  finance: '财务',
  viewer: '只读',
};

/** Whether the operator may take the action at all. */
export function can(operator: Pick<OperatorLike, 'roleList' | 'active'>, action: Action): boolean {
  if (!operator.active) return false;
  const roles = operator.roleList();
  return PERMISSIONS[action].some((r) => roles.includes(r));
}

/** Throws NOT_PERMITTED, naming the roles that would be allowed. */
export function assertCan(operator: Pick<OperatorLike, 'roleList' | 'active' | 'displayName'>, action: Action): void {
  if (can(operator, action)) return;
  const needed = PERMISSIONS[action].map((r) => ROLE_LABELS[r]).join(' / ');
  const why = operator.active ? `需要以下角色之一: ${needed}` : '该账号已停用';
  throw new DomainError(
    'NOT_PERMITTED',
    `${operator.displayName} 没有「${ACTION_LABELS[action]}」权限, ${why}。请联系管理员开通。`,
    { action, needed: PERMISSIONS[action] },
  );
}
