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

/** The status line; an inactive customer's says why, since when and until when. */
function statusLine(core: Core, c: CustomerView): string {
  const label = `状态: ${STATUS_LABELS[c.status]}`;
  if (!isInactive(c.status)) return label;
  const since = c.deactivatedAt ? `, ${localDay(core, c.deactivatedAt)} 停用` : '';
  const until = c.reactivateOn ? `, 停用至 ${c.reactivateOn}` : '';
  return `${label} (${c.deactivationReason ?? ''}${since}${until})`;
}

/** Contact, phone and address; the personal ones masked unless `full`. */
function contactLines(c: CustomerView, full: boolean): string[] {
  const phone = full ? (c.phone ?? '—') : c.phoneMasked || '—';
  const address = full ? (c.address ?? '—') : c.addressMasked || '—';
  return [`联系人: ${c.contact ?? '—'}  手机: ${phone}`, `地址: ${address}`];
}

/** A customer card as chat text; personal fields masked unless `full`. */
export function customerText(core: Core, c: CustomerView, opts: { full: boolean; ownerName?: string | null }): string {
  const lines = [
    `${c.code} ${c.name}`,
    statusLine(core, c),
    ...contactLines(c, opts.full),
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
