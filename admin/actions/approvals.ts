import type { RecordJSON } from 'adminjs';
import type { Core } from '../../core/context.js';
import { requestHistoryText } from '../../core/deletion/history.js';
import { readHandling } from '../../core/ledger/handling.js';
import { approve, localTime, reject } from '../../core/deletion/approvals.js';
import { purgeEntry, restoreCustomer } from '../../core/deletion/recycle.js';
import { COMPONENTS } from '../components.js';
import { freshRecord, text, throughCore } from '../features/core-errors.js';
import { permit, statusIs } from '../features/permissions.js';
import { isInactive } from '../../core/customers/lifecycle.js';

const record = { actionType: 'record' as const, component: COMPONENTS.ConfirmAction };

/** What an approver decides on, as the approval page and the chat card show it. */
const APPROVAL_SUMMARY = [
  { path: 'customerCode', label: '客户编码' },
  { path: 'customerId', label: '客户' },
  { path: 'reason', label: '删除原因' },
  { path: 'requesterId', label: '申请人' },
  { path: 'requesterNote', label: '申请人备注' },
  { path: 'handling', label: '关联数据处理记录' },
  { path: 'history', label: '合作历史' },
];

/** What a restore brings back. */
const RESTORE_SUMMARY = [
  { path: 'customerCode', label: '客户编码' },
  { path: 'customerName', label: '客户名称' },
  { path: 'reason', label: '删除原因' },
  // The entry's deletedBy is the requester (core/deletion/approvals.ts), shown by name.
  { path: 'deletedBy', label: '申请人' },
  { path: 'handling', label: '关联数据处理记录' },
  { path: 'history', label: '合作历史' },
];

/** The restore question's record, with what its deletion request said (the snapshot stays on the server). */
async function withDeletion(core: Core, json: RecordJSON): Promise<RecordJSON> {
  const id = Number(json.params.approvalId);
  const request = id ? await core.models.ApprovalRequest.findByPk(id) : null;
  if (!request) return json;
  const params = {
    ...json.params,
    reason: request.reason,
    handling: readHandling(request.handling)?.lines.join('\n') ?? '',
    history: requestHistoryText(request),
  };
  return { ...json, params };
}

/** 同意 / 拒绝 on a pending deletion request; core enforces the four-eyes rule and expiry. */
export function approvalActions(core: Core) {
  return {
    approve: {
      ...record,
      icon: 'CheckCircle',
      custom: {
        message: '同意后客户移入回收站 (保留期内可恢复)。提交前系统会再次检查未完成的业务。确定同意吗?',
        button: '同意删除',
        danger: true,
        summary: APPROVAL_SUMMARY,
      },
      ...permit('approve', statusIs('pending')),
      handler: throughCore(async (request, context, actor) => {
        if (request.method !== 'post') return { record: context.record!.toJSON(context.currentAdmin) };
        const result = await approve(core, actor, Number(context.record!.id()));
        const until = result.restorableUntil ? `, ${localTime(core, result.restorableUntil)} 前可在回收站恢复` : '';
        return {
          record: await freshRecord(context),
          notice: {
            message: `已同意审批单 #${result.request.id}: 客户 ${result.request.customerCode} 已移入回收站${until}`,
            type: 'success',
          },
        };
      }),
    },
    reject: {
      ...record,
      icon: 'XCircle',
      custom: {
        message: '拒绝后申请关闭, 客户保持原状态。',
        button: '拒绝申请',
        summary: APPROVAL_SUMMARY,
        note: { label: '拒绝理由', required: false },
      },
      ...permit('approve', statusIs('pending')),
      handler: throughCore(async (request, context, actor) => {
        if (request.method !== 'post') return { record: context.record!.toJSON(context.currentAdmin) };
        const result = await reject(core, actor, Number(context.record!.id()), text(request.payload, 'note') ?? '');
        return {
          record: await freshRecord(context),
          notice: {
            message: `已拒绝审批单 #${result.request.id} (客户 ${result.request.customerCode})`,
            type: 'success',
          },
        };
      }),
    },
  };
}

const restorable = (r: { param(p: string): unknown }) => !r.param('restoredAt') && !r.param('purgedAt');

/** 恢复 and 彻底清除 on a recycle-bin entry. */
export function recycleActions(core: Core) {
  return {
    restore: {
      ...record,
      icon: 'RotateCcw',
      custom: {
        message: '恢复后客户回到删除前的状态, 编码、历史订单和审计记录都保留。确定恢复吗?',
        button: '确认恢复',
        summary: RESTORE_SUMMARY,
      },
      ...permit('restore', restorable),
      handler: throughCore(async (request, context, actor) => {
        if (request.method !== 'post')
          return { record: await withDeletion(core, context.record!.toJSON(context.currentAdmin)) };
        const r = await restoreCustomer(core, actor, String(context.record!.param('customerCode')));
        return {
          record: await freshRecord(context),
          notice: {
            message: `客户 ${r.code} 已恢复, 状态: ${isInactive(r.status) ? '停用' : '启用'}`,
            type: 'success',
          },
        };
      }),
    },
    purge: {
      ...record,
      icon: 'AlertOctagon',
      custom: {
        message:
          '彻底清除会抹去该客户的姓名、联系人、手机和地址 (包括审计日志中的个人信息), 无法恢复。只能清除超过保留期的条目。',
        button: '彻底清除',
        danger: true,
      },
      ...permit('purge', restorable),
      handler: throughCore(async (request, context, actor) => {
        if (request.method !== 'post') return { record: context.record!.toJSON(context.currentAdmin) };
        const r = await purgeEntry(core, actor, Number(context.record!.id()));
        return {
          record: await freshRecord(context),
          notice: { message: `已彻底清除, 抹去了 ${r.redactedEvents} 条审计事件中的个人信息`, type: 'success' },
        };
      }),
    },
  };
}
