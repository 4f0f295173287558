import type { Core } from '../core/context.js';
import { buttonId, type Notice } from '../core/notify-port.js';
import { localTime } from '../core/deletion/approvals.js';
import { fallbackLine, inactiveLine } from '../core/review/format.js';
import type { InactiveCustomer } from '../core/review/inactive.js';
import type { ReviewSummary } from '../core/review/summary.js';
import { splitMessages } from './monthly-report.js';

/**
 * One customer per WeCom button_interaction card: a tap greys out every button of its card
 * (update_button), so a card with several customers would lose the others' buttons.
 */
export const MAX_CARDS = 10;
const MAX_LISTED = 60;
/** How many customers one person's digest shows (cards plus the text list). */
export const SHOWN_PER_PERSON = MAX_CARDS + MAX_LISTED;

export interface DigestWindow {
  days: number;
  keepDays: number;
}

function intro(name: string, n: number, w: DigestWindow, unassigned: boolean): Notice {
  const whose = unassigned
    ? `有 ${n} 个启用客户没有可用的负责人 (未分配或负责人已停用), 且`
    : `你负责的 ${n} 个启用客户`;
  return {
    title: '不活跃客户审查',
    text:
      `${name} 你好, ${whose}已超过 ${w.days} 天没有下单 (含建档后从未下单的)。\n请逐个选择: 「停用」(原因 长期无交易, 数据保留, 随时可启用) 或「保留」(${w.keepDays} 天内不再提醒)。\n` +
      '没有按钮时可直接回复:\n停用客户 <编码> 长期无交易\n保留客户 <编码>\n全部停用 (先列出清单, 确认后才停用)',
    buttons: unassigned ? [] : [{ id: buttonId('deactivate-all'), text: '全部停用' }],
  };
}

/** Signed page links for a customer, for messengers whose cards cannot call back (DingTalk). */
export type LinksFor = (code: string) => { text: string; url: string }[];

/** The cards: one customer each, numbered across the digest, with 停用/保留 buttons, links and the typed fallback. */
function cards(core: Core, customers: InactiveCustomer[], links?: LinksFor): Notice[] {
  return customers.slice(0, MAX_CARDS).map((c, i) => ({
    title: `不活跃客户 ${i + 1}/${customers.length}`,
    text: `${inactiveLine(core, c)}\n${fallbackLine(c)}`,
    buttons: [
      { id: buttonId('deactivate', c.code), text: '停用' },
      { id: buttonId('keep', c.code), text: '保留' },
    ],
    ...(links ? { links: links(c.code) } : {}),
  }));
}

/** The rest, beyond the cards, as plain text (split under the size limit). */
function rest(core: Core, customers: InactiveCustomer[]): Notice[] {
  const start = MAX_CARDS;
  if (customers.length <= start) return [];
  const listed = customers
    .slice(start, start + MAX_LISTED)
    .map((c, k) => `${start + k + 1}. ${inactiveLine(core, c)}\n   ${fallbackLine(c)}`);
  const more =
    customers.length > start + MAX_LISTED
      ? [
          `另有 ${customers.length - start - MAX_LISTED} 个未列出; 发送「不活跃客户」查看全部, 或在后台按「最近下单」筛选。`,
        ]
      : [];
  return splitMessages('不活跃客户 (续)', [...listed, ...more]);
}

/** Everything one person receives for their inactive customers. */
export function ownerDigest(
  core: Core,
  name: string,
  customers: InactiveCustomer[],
  w: DigestWindow,
  opts: { unassigned?: boolean; links?: LinksFor } = {},
): Notice[] {
  return [
    intro(name, customers.length, w, opts.unassigned ?? false),
    ...cards(core, customers, opts.links),
    ...rest(core, customers),
  ];
}

/** The group notice: how many per manager, and how many were handled since the previous review. */
export function groupSummary(core: Core, s: ReviewSummary, w: DigestWindow): Notice {
  const lines = [`超过 ${w.days} 天未下单的启用客户共 ${s.inactive} 个 (含从未下单的)。`];
  for (const o of s.owners) {
    const handled = s.previousAt ? `; 上次审查以来已停用 ${o.deactivated}、保留 ${o.kept}` : '';
    lines.push(`• ${o.owner}: 待处理 ${o.inactive} 个${handled}`);
  }
  if (s.previousAt)
    lines.push(
      `上次审查 ${localTime(core, s.previousAt)} 以来共处理 ${s.kept + s.deactivated} 个 (停用 ${s.deactivated}, 保留 ${s.kept})。`,
    );
  else lines.push('这是第一次审查。');
  lines.push('各负责人已收到自己的清单, 请在私聊里逐个停用或保留。');
  return { title: '不活跃客户审查', text: lines.join('\n') };
}
