import type { Core } from '../../core/context.js';
import type { ApprovalNotifier } from '../../core/notify-port.js';
import { normalizeCode } from '../../core/customers/codes.js';
import { absorbedOf } from '../../core/customers/merge/request.js';
import { MERGE_STATUSES, type CustomerMerge } from '../../models/index.js';
import { StewardResource, exactRule, idRule, prefixRule } from '../adapter/steward-resource.js';
import { mergeApprovalActions } from '../actions/merge-approvals.js';
import { readOnly } from '../features/permissions.js';

export const MERGE_STATUS_LABELS: Record<string, string> = {
  pending: '待审批',
  done: '已合并',
  rejected: '已驳回',
  expired: '已过期',
  undone: '已撤销',
};

/** The survivor's picked values (名称=…) as one line, from the stored JSON. */
function picksText(raw: string | null): string {
  if (!raw) return '';
  try {
    return Object.entries(JSON.parse(raw) as Record<string, unknown>)
      .map(([k, v]) => `${k}=${String(v ?? '')}`)
      .join('; ');
  } catch {
    return '';
  }
}

/** Merge requests, with the absorbed codes and the picked values as text. */
function mergeAdapter(core: Core): StewardResource<CustomerMerge> {
  return new StewardResource<CustomerMerge>(core.models.CustomerMerge, {
    // The undo data (what moved, the survivor before) is core's business, not the page's.
    skip: ['survivorBefore', 'moved'],
    filters: {
      status: exactRule('status'),
      keepCode: prefixRule('keepCode', normalizeCode),
      requesterId: idRule('requesterId'),
    },
    sorts: { id: 'id', expiresAt: 'expiresAt' },
    defaultSort: ['id', 'DESC'],
    toParams: (m) => {
      const { absorbed: _a, fieldValues, ...plain } = m.get({ plain: true }) as CustomerMerge & Record<string, unknown>;
      return {
        ...plain,
        absorbedCodes: absorbedOf(m)
          .map((a) => a.code)
          .join('、'),
        picks: picksText(fieldValues as string | null),
      };
    },
  });
}

/** 合并申请: merge requests, 待审批 first to hand, with 批准合并 / 驳回 for an approver. */
export function mergeResource(core: Core, notifier?: ApprovalNotifier) {
  return {
    resource: mergeAdapter(core),
    options: {
      id: 'customer_merges',
      navigation: { name: 'lifecycle', icon: 'Shield' },
      sort: { sortBy: 'id', direction: 'desc' as const },
      listProperties: ['id', 'keepCode', 'absorbedCodes', 'reason', 'requesterName', 'status', 'expiresAt'],
      filterProperties: ['status', 'keepCode', 'requesterId'],
      showProperties: [
        'id',
        'keepCode',
        'keepCustomerId',
        'absorbedCodes',
        'picks',
        'reason',
        'requesterName',
        'status',
        'createdAt',
        'expiresAt',
        'decidedByName',
        'decidedAt',
        'decisionNote',
        'mergedAt',
        'undoneAt',
        'undoneByName',
      ],
      properties: {
        keepCustomerId: { reference: 'customers' },
        requesterId: { reference: 'operators' },
        decidedBy: { isVisible: false },
        status: {
          availableValues: MERGE_STATUSES.map((value) => ({ value, label: MERGE_STATUS_LABELS[value] ?? value })),
        },
        absorbedCodes: {
          type: 'string' as const,
          isSortable: false,
          isVisible: { list: true, show: true, edit: false, filter: false },
        },
        picks: {
          type: 'string' as const,
          isSortable: false,
          isVisible: { list: false, show: true, edit: false, filter: false },
        },
        survivorVersion: { isVisible: false },
      },
      actions: { ...readOnly(), ...mergeApprovalActions(core, notifier) },
    },
  };
}

export const mergeLabels = { customer_merges: '合并申请' };

export const mergeTranslations = {
  customer_merges: {
    properties: {
      keepCode: '保留编码',
      keepCustomerId: '保留客户',
      absorbedCodes: '并入编码',
      picks: '指定的取值',
      reason: '合并原因',
      requesterName: '申请人',
      requesterId: '申请人',
      status: '状态',
      createdAt: '申请时间',
      expiresAt: '有效期至',
      decidedByName: '审批人',
      decidedAt: '审批时间',
      decisionNote: '审批意见',
      mergedAt: '合并时间',
      undoneAt: '撤销时间',
      undoneByName: '撤销人',
    },
    actions: { approve: '批准合并', reject: '驳回' },
  },
};
