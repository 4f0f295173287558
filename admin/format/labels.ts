/** Chinese names of the doors and audit actions, for lists, filters and the audit diff. */
export const DOOR_LABELS: Record<string, string> = { wecom: '企业微信', dingtalk: '钉钉', feishu: '飞书', page: '审批页面', admin: '后台', job: '定时任务', cli: '命令行', api: 'API' };

export const AUDIT_ACTION_LABELS: Record<string, string> = {
  'customer.create': '新建客户', 'customer.edit': '修改客户', 'customer.deactivate': '停用客户', 'customer.reactivate': '启用客户',
  'customer.delete': '删除客户', 'customer.restore': '恢复客户', 'customer.purge': '彻底清除', 'customer.reveal': '查看个人信息',
  'customer.export-reveal': '导出含完整个人信息', 'customer.import': '导入客户', 'customer.import-undo': '撤销导入', 'customer.keep': '保留客户 (审查)',
  'customer.merged': '合并客户', 'customer.unmerged': '撤销合并',
  'deletion.request': '申请删除', 'deletion.reject': '拒绝删除', 'deletion.expire': '删除申请过期',
  'merge.request': '申请合并', 'merge.reject': '驳回合并', 'merge.expire': '合并申请过期', 'duplicate.dismiss': '排除疑似重复',
  'operator.create': '新建操作员', 'operator.edit': '修改操作员', 'operator.password.reset': '重置后台密码', 'operator.password.change': '修改后台密码', 'operator.totp.enrol': '开启两步验证', 'operator.identity.link': '关联聊天账号', 'operator.identity.unlink': '解除聊天账号',
  'api-token.create': '新建 API 令牌', 'api-token.revoke': '吊销 API 令牌',
  'order.cancel': '取消订单', 'receivable.payment': '登记收款', 'reservation.release': '释放预留',
  'customer.recoded': '改编码', 'recode.request': '申请改编码', 'recode.reject': '驳回改编码', 'customer.backup-staged': '从备份取回到回收站',
  'backup.download': '下载备份', 'audit.anchor': '审计链加密锚定', 'audit.restore': '从备份还原整库', 'list.create': '新建列表项', 'list.edit': '修改列表项',
  'ledger.push': '接收进销存单据', 'ledger.import-undo': '撤销单据导入', 'jsherp.link': '关联 jshERP 客户', 'jsherp.write-back': '回写 jshERP',
};
