import type { Core } from '../../core/context.js';
import {
  APPROVAL_STATUSES,
  DOORS,
  type ApprovalRequest,
  type AuditEvent,
  type RecycleEntry,
} from '../../models/index.js';
import { StewardResource, exactRule, idRule, prefixRule, rangeRule } from '../adapter/steward-resource.js';
import { approvalActions, recycleActions } from '../actions/approvals.js';
import { readOnly } from '../features/permissions.js';
import { COMPONENTS } from '../components.js';
import { diffRows, operatorNames } from '../format/readable.js';
import { normalizeCode } from '../../core/customers/codes.js';
import { readHandling } from '../../core/ledger/handling.js';
import { requestHistoryText } from '../../core/deletion/history.js';
import { AUDIT_ACTION_LABELS, DOOR_LABELS } from '../format/labels.js';

export { AUDIT_ACTION_LABELS, DOOR_LABELS };

export const APPROVAL_STATUS_LABELS: Record<string, string> = {
  pending: '待审批',
  approved: '已同意',
  rejected: '已拒绝',
  expired: '已过期',
};
const labels = (map: Record<string, string>, keys: readonly string[] = Object.keys(map)) =>
  keys.map((value) => ({ value, label: map[value] ?? value }));
const lifecycle = { name: 'lifecycle', icon: 'Shield' };

/** 审批单: pending deletion requests with 同意 / 拒绝. */
export function approvalResource(core: Core) {
  return {
    resource: new StewardResource<ApprovalRequest>(core.models.ApprovalRequest, {
      filters: {
        status: exactRule('status'),
        customerId: idRule('customerId'),
        customerCode: prefixRule('customerCode', normalizeCode),
        requesterId: idRule('requesterId'),
      },
      sorts: { id: 'id', expiresAt: 'expiresAt' },
      defaultSort: ['id', 'DESC'],
      // The 关联数据处理记录 as the lines people read, not the stored JSON.
      toParams: (r) => ({
        ...r.get({ plain: true }),
        handling: readHandling(r.handling)?.lines.join('\n') ?? '',
        history: requestHistoryText(r),
      }),
    }),
    options: {
      id: 'approval_requests',
      navigation: lifecycle,
      sort: { sortBy: 'id', direction: 'desc' as const },
      listProperties: ['id', 'customerCode', 'customerId', 'reason', 'requesterId', 'status', 'expiresAt'],
      filterProperties: ['status', 'customerCode', 'requesterId'],
      showProperties: [
        'id',
        'customerCode',
        'customerId',
        'history',
        'reason',
        'requesterNote',
        'handling',
        'requesterId',
        'status',
        'createdAt',
        'expiresAt',
        'decidedBy',
        'decidedAt',
        'decisionNote',
        'recycleEntryId',
      ],
      properties: {
        customerId: { reference: 'customers' },
        requesterId: { reference: 'operators' },
        decidedBy: { reference: 'operators' },
        status: { availableValues: labels(APPROVAL_STATUS_LABELS, APPROVAL_STATUSES) },
        action: { isVisible: false },
        handling: { type: 'textarea' as const, isVisible: { list: false, show: true, edit: false, filter: false } },
        history: { type: 'textarea' as const, isVisible: { list: false, show: true, edit: false, filter: false } },
      },
      actions: { ...readOnly(), ...approvalActions(core) },
    },
  };
}

/** 回收站: deleted customers with their snapshot (never sent to the browser). */
export function recycleResource(core: Core) {
  return {
    resource: new StewardResource<RecycleEntry>(core.models.RecycleEntry, {
      skip: ['snapshot'],
      filters: { customerCode: prefixRule('customerCode', normalizeCode), deletedAt: rangeRule('deletedAt') },
      sorts: { id: 'id', retainUntil: 'retainUntil' },
      defaultSort: ['id', 'DESC'],
    }),
    options: {
      id: 'recycle_entries',
      navigation: lifecycle,
      titleProperty: 'customerCode',
      sort: { sortBy: 'id', direction: 'desc' as const },
      listProperties: [
        'customerCode',
        'customerName',
        'previousStatus',
        'deletedBy',
        'deletedAt',
        'retainUntil',
        'restoredAt',
        'purgedAt',
      ],
      filterProperties: ['customerCode', 'deletedAt'],
      showProperties: [
        'customerCode',
        'customerName',
        'customerId',
        'previousStatus',
        'approvalId',
        'deletedBy',
        'deletedAt',
        'retainUntil',
        'restoredAt',
        'purgedAt',
      ],
      properties: {
        customerId: { reference: 'customers' },
        deletedBy: { reference: 'operators' },
        approvalId: { reference: 'approval_requests' },
        previousStatus: {
          availableValues: [
            { value: 'active', label: '启用' },
            { value: 'inactive', label: '停用' },
          ],
        },
      },
      actions: { ...readOnly(), ...recycleActions(core) },
    },
  };
}

type Shown = { record?: { params: Record<string, unknown> } };

/** The shown event's 变更内容 as rows of 字段 / 原值 / 新值, owners by name, personal values masked. */
function withDiffView(core: Core) {
  return async function diffViewAfter<R extends Shown>(response: R): Promise<R> {
    const params = response.record?.params;
    if (!params || typeof params.diff !== 'string') return response;
    const names = await operatorNames(core, [params.diff]);
    params.diffView = JSON.stringify(diffRows(core, params.diff, names));
    params.diff = '';
    return response;
  };
}

/** 审计日志: read-only, filterable by customer, operator, door and date; personal values stay encrypted. */
export function auditResource(core: Core) {
  return {
    resource: new StewardResource<AuditEvent>(core.models.AuditEvent, {
      skip: ['pii'],
      filters: {
        customerId: idRule('customerId'),
        customerCode: exactRule('customerCode', normalizeCode),
        operatorId: idRule('operatorId'),
        door: exactRule('door'),
        action: exactRule('action'),
        at: rangeRule('at'),
      },
      sorts: { id: 'id', at: 'id' },
      defaultSort: ['id', 'DESC'],
    }),
    options: {
      id: 'audit_events',
      navigation: lifecycle,
      sort: { sortBy: 'id', direction: 'desc' as const },
      listProperties: ['id', 'at', 'operatorName', 'door', 'action', 'customerCode'],
      filterProperties: ['customerCode', 'customerId', 'operatorId', 'door', 'action', 'at'],
      showProperties: [
        'id',
        'at',
        'operatorName',
        'operatorId',
        'door',
        'action',
        'customerCode',
        'customerId',
        'diffView',
        'prevHash',
        'hash',
      ],
      properties: {
        customerId: { reference: 'customers' },
        operatorId: { reference: 'operators' },
        door: { availableValues: labels(DOOR_LABELS, DOORS) },
        action: { availableValues: labels(AUDIT_ACTION_LABELS) },
        diff: { type: 'textarea' as const },
        diffView: {
          type: 'string' as const,
          isSortable: false,
          components: { show: COMPONENTS.RowsTable },
          isVisible: { list: false, show: true, edit: false, filter: false },
        },
      },
      actions: { ...readOnly(), show: { ...readOnly().show, after: withDiffView(core) } },
    },
  };
}
