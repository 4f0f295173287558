import type { CustomerView } from '../core/customers/view.js';
import { STATUS_LABELS } from '../core/customers/view.js';
import { localParts } from '../core/customers/codes.js';
import type { Core } from '../core/context.js';
import { isInactive } from '../core/customers/lifecycle.js';

/** A date as the configured zone's calendar day (2026-11-25). */
function localDay(core: Core, d: Date): string {
  const p = localParts(d, core.config.STEWARD_TIMEZONE);
  return `${p.year}-${p.month}-${p.day}`;
}

/** A customer card as chat text; personal fields masked unless `full`. */
export function customerText(core: Core, c: CustomerView, opts: { full: boolean; ownerName?: string | null }): string {
  const phone = opts.full ? (c.phone ?? '—') : c.phoneMasked || '—';
  const address = opts.full ? (c.address ?? '—') : c.addressMasked || '—';
  const lines = [
    `${c.code} ${c.name}`,
    `状态: ${STATUS_LABELS[c.status]}${isInactive(c.status) ? ` (${c.deactivationReason ?? ''}${c.deactivatedAt ? `, ${localDay(core, c.deactivatedAt)} 停用` : ''}${c.reactivateOn ? `, 停用至 ${c.reactivateOn}` : ''})` : ''}`,
    `联系人: ${c.contact ?? '—'}  手机: ${phone}`,
    `地址: ${address}`,
    `分类: ${c.category ?? '—'}  区域: ${c.region ?? '—'}  负责人: ${opts.ownerName ?? '—'}`,
    `最近下单: ${c.lastOrderAt ? localDay(core, c.lastOrderAt) : '从未下单'}`,
  ];
  if (c.note) lines.push(`备注: ${c.note}`);
  if (!opts.full && (c.phone || c.address)) lines.push('(个人信息已脱敏)');
  return lines.join('\n');
}

/** "C001 名称" lines, numbered, for a pick list. */
export function numbered(items: { code: string; name: string; extra?: string }[]): string {
  return items.map((c, i) => `${i + 1}. ${c.code} ${c.name}${c.extra ? ` ${c.extra}` : ''}`).join('\n');
}
