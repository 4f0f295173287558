import { validationError } from '../errors.js';

/** Every webhook event type a subscription can ask for. */
export const WEBHOOK_EVENTS = [
  'customer.created',
  'customer.updated',
  'customer.deactivated',
  'customer.reactivated',
  'customer.deletion_requested',
  'customer.deleted',
  'customer.restored',
  'customer.purged',
  'customer.merged',
  'customer.unmerged',
  'customer.recoded',
] as const;
export type WebhookEventType = (typeof WEBHOOK_EVENTS)[number];

/** What each event means, for help texts and the back office. */
export const WEBHOOK_EVENT_LABELS: Record<WebhookEventType, string> = {
  'customer.created': '新建客户',
  'customer.updated': '修改客户',
  'customer.deactivated': '停用客户',
  'customer.reactivated': '启用客户',
  'customer.deletion_requested': '申请删除客户',
  'customer.deleted': '删除客户 (进入回收站)',
  'customer.restored': '从回收站恢复客户',
  'customer.purged': '彻底清除客户个人信息',
  'customer.merged': '合并客户 (保留客户和每个并入的客户各一条)',
  'customer.unmerged': '撤销合并',
  'customer.recoded': '改客户编码 (旧编码仍可查)',
};

/** The audit action each event follows from; actions not listed send nothing. */
export const AUDIT_ACTION_EVENTS: Readonly<Record<string, WebhookEventType>> = {
  'customer.create': 'customer.created',
  'customer.edit': 'customer.updated',
  'customer.deactivate': 'customer.deactivated',
  'customer.reactivate': 'customer.reactivated',
  'deletion.request': 'customer.deletion_requested',
  'customer.delete': 'customer.deleted',
  'customer.restore': 'customer.restored',
  'customer.purge': 'customer.purged',
  'customer.merged': 'customer.merged',
  'customer.unmerged': 'customer.unmerged',
  'customer.recoded': 'customer.recoded',
};

/**
 * Reads a comma-separated list of event types (`*` = all); unknown names are refused with the
 * list of valid ones. Returns the stored form: `*` or the sorted, de-duplicated names.
 */
export function parseEventList(raw: string | readonly string[] | null | undefined): string {
  const names = (Array.isArray(raw) ? raw : String(raw ?? '').split(/[,，\s]+/))
    .map((s) => String(s).trim())
    .filter(Boolean);
  if (!names.length)
    throw validationError([
      { field: 'events', message: `请至少选择一个事件类型, 可选: ${WEBHOOK_EVENTS.join(', ')}, 或 * 表示全部` },
    ]);
  if (names.includes('*')) return '*';
  const unknown = names.filter((n) => !(WEBHOOK_EVENTS as readonly string[]).includes(n));
  if (unknown.length)
    throw validationError([
      {
        field: 'events',
        message: `不认识的事件类型: ${unknown.join(', ')}。可选: ${WEBHOOK_EVENTS.join(', ')}, 或 * 表示全部`,
      },
    ]);
  return [...new Set(names)].sort().join(',');
}

/** Whether a subscription's stored event list covers this type. */
export function subscribesTo(events: string, type: WebhookEventType): boolean {
  return events === '*' || events.split(',').includes(type);
}
