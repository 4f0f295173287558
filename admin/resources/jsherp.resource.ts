import type { Core } from '../../core/context.js';
import { optionalResources, type OptionalTable } from './optional.resource.js';

/**
 * The jshERP connector in the back office, read-only: its state and last sync (同步状态; every
 * run is also in 任务运行 as job jsherp-sync), the write-back queue, the links and the customers
 * waiting for a person (decided with `steward connect jsherp --links / --link`).
 */
export const JSHERP_TABLES: OptionalTable[] = [
  {
    model: 'JsherpState',
    id: 'jsherp_state',
    view: 'view',
    listProperties: ['tenantId', 'lastStatus', 'lastSyncAt', 'lastFullAt', 'syncs', 'lastSummary'],
    sortBy: 'tenantId',
  },
  {
    model: 'JsherpWrite',
    id: 'jsherp_writes',
    view: 'view',
    listProperties: ['id', 'customerCode', 'action', 'status', 'attempts', 'createdAt', 'doneAt', 'result', 'error'],
    filters: { exact: ['status', 'action', 'customerCode'], range: ['createdAt'] },
    sortBy: 'id',
  },
  {
    model: 'JsherpCandidate',
    id: 'jsherp_candidates',
    view: 'view',
    listProperties: ['jshId', 'jshName', 'kind', 'matches', 'foundAt'],
    filters: { exact: ['kind'] },
    sortBy: 'id',
  },
  {
    model: 'JsherpLink',
    id: 'jsherp_links',
    view: 'view',
    listProperties: ['customerCode', 'jshId', 'linkedBy', 'linkedAt', 'wroteDeleteFlag'],
    filters: { exact: ['customerCode', 'linkedBy'] },
    sortBy: 'id',
  },
];

/** The connector's resources (shown only when its models are registered). */
export function jsherpResources(core: Core) {
  return optionalResources(core, JSHERP_TABLES).map((r) => ({
    ...r,
    options: { ...r.options, navigation: { name: 'commerce', icon: 'Link' } },
  }));
}

/** Menu labels. */
export const jsherpLabels = {
  jsherp_state: 'jshERP 同步状态',
  jsherp_writes: 'jshERP 回写',
  jsherp_candidates: 'jshERP 待确认客户',
  jsherp_links: 'jshERP 客户关联',
};

/** Property labels. */
export const jsherpTranslations = {
  jsherp_state: {
    properties: {
      tenantId: '租户',
      lastStatus: '上次结果',
      lastSyncAt: '上次同步',
      lastFullAt: '上次全量核对',
      syncs: '同步次数',
      lastSummary: '摘要',
      linkedOnce: '已首次关联',
      baselineSupplierId: '首次关联时的最大客户编号',
      lastSupplierId: '客户游标',
      lastDepotId: '单据游标',
      lastAccountId: '收款游标',
    },
  },
  jsherp_writes: {
    properties: {
      customerCode: '客户编码',
      action: '回写',
      status: '状态',
      attempts: '尝试次数',
      createdAt: '排队时间',
      doneAt: '完成时间',
      result: '结果',
      error: '错误',
      jshId: 'jshERP 编号',
      approvalId: '审批单',
      requestedBy: '操作人',
      notBefore: '下次尝试',
    },
  },
  jsherp_candidates: {
    properties: {
      jshId: 'jshERP 编号',
      jshName: 'jshERP 名称',
      kind: '情况',
      matches: '可能的客户',
      foundAt: '发现时间',
      tenantId: '租户',
    },
  },
  jsherp_links: {
    properties: {
      customerCode: '客户编码',
      jshId: 'jshERP 编号',
      linkedBy: '关联方式',
      linkedAt: '关联时间',
      wroteDeleteFlag: '已回写删除',
      tenantId: '租户',
    },
  },
};
