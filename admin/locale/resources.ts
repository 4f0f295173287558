/** Property labels per resource (AdminJS looks them up as resources.<id>.properties.<name>). */
export const resourceTranslations = {
  customers: {
    properties: {
      code: '客户编码', name: '客户名称', contact: '联系人', phoneMasked: '手机', addressMasked: '地址', phone: '手机', address: '地址',
      category: '客户分类', region: '区域', ownerId: '负责人', status: '状态', deactivationReason: '停用原因', deactivationMemo: '停用备注',
      deactivatedAt: '停用时间', reactivateOn: '停用至', note: '备注', lastOrderAt: '最近下单', version: '版本', allowDuplicates: '确认不是重复客户',
    },
  },
  sales_orders: { properties: { number: '订单号', customerId: '客户', status: '状态', orderDate: '下单日期', total: '金额 (元)', source: '来源' } },
  receivables: { properties: { customerId: '客户', orderId: '订单', amount: '应收 (元)', paid: '已收 (元)', outstanding: '未收 (元)', dueDate: '到期日', status: '状态', number: '应收单号', source: '来源' } },
  reservations: { properties: { customerId: '客户', productId: '产品', orderId: '订单', quantity: '数量', status: '状态', number: '预留单号', source: '来源' } },
  products: { properties: { sku: '产品编码', name: '产品名称', unit: '单位', price: '单价 (元)' } },
  operators: {
    properties: {
      displayName: '姓名', email: '登录邮箱', roles: '角色', roleLabels: '角色', password: '密码',
      identities: '聊天账号', active: '启用',
    },
  },
  approval_requests: {
    properties: {
      customerCode: '客户编码', customerId: '客户', reason: '删除原因', requesterId: '申请人', status: '状态', expiresAt: '有效期至',
      decidedBy: '审批人', decidedAt: '审批时间', decisionNote: '审批意见', recycleEntryId: '回收站条目', action: '类型',
      requesterNote: '申请人备注', handling: '关联数据处理记录', history: '合作历史',
    },
  },
  recycle_entries: {
    properties: {
      customerCode: '客户编码', customerName: '客户名称', customerId: '客户', previousStatus: '删除前状态', approvalId: '审批单',
      deletedBy: '申请人', deletedAt: '删除时间', retainUntil: '保留至', restoredAt: '恢复时间', purgedAt: '清除时间',
    },
  },
  audit_events: {
    properties: {
      at: '时间', operatorName: '操作人', operatorId: '操作员', door: '渠道', action: '操作', customerCode: '客户编码', customerId: '客户',
      diff: '变更内容', diffView: '变更内容', prevHash: '上一条哈希', hash: '哈希',
    },
  },
  import_batches: {
    properties: {
      fileName: '文件名', sha256: 'SHA-256', sheet: '工作表', operatorName: '操作人', door: '渠道', mode: '模式', status: '状态',
      totalRows: '总行数', createdCount: '新建', updatedCount: '更新', unchangedCount: '未变', skippedCount: '跳过', errorCount: '错误',
      undoneAt: '撤销时间', undoneBy: '撤销人', sha256Short: 'SHA-256 (前 12 位)', outcomes: '逐行结果',
      kind: '类型',
    },
  },
  backup_records: {
    properties: {
      path: '路径', takenAt: '备份时间', operatorName: '操作人', reason: '原因', totalRows: '总行数', sha256: 'SHA-256', bytes: '字节数',
      encrypted: '已加密', verifyStatus: '校验结果', verifiedAt: '校验时间', verifyDetail: '校验详情', prunedAt: '清理时间',
      sha256Short: 'SHA-256 (前 12 位)', size: '大小', tableRows: '各表行数',
    },
  },
  webhook_subscriptions: { properties: { url: '接收地址', events: '事件类型', secret: '签名密钥', active: '启用', createdBy: '创建人' } },
  webhook_deliveries: {
    properties: {
      ref: '事件 ID', eventType: '事件', customerCode: '客户编码', subscription: '订阅', targetId: '订阅编号', status: '状态', attempts: '尝试次数',
      httpStatus: 'HTTP 状态码', error: '最后错误', attemptLog: '投递日志 (时间 状态码 耗时 错误)', notBefore: '下次尝试', lastAttemptAt: '最后尝试', sentAt: '送达时间',
    },
  },
  api_tokens: {
    properties: {
      name: '令牌名称', prefix: '令牌开头', scopes: '权限范围', state: '状态', expires: '过期日期', expiresAt: '过期时间', lastUsedAt: '最近使用',
      revokedAt: '吊销时间', createdBy: '创建人', createdAt: '创建时间',
    },
  },
  job_runs: { properties: { job: '任务', jobTitle: '任务', started: '开始', finished: '结束', detailView: '详情', slot: '时段', trigger: '触发方式', dryRun: '试运行', instance: '实例', status: '状态', startedAt: '开始', finishedAt: '结束', summary: '摘要', detail: '详情' } },
};
