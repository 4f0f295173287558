import { SIGNAL_LABELS, type Crowd, type DuplicatePair, type DuplicateScan, type PairSide } from './scan.js';
import { isInactive } from '../lifecycle.js';

/** Where a person says two customers are not the same (the chat command only reads). */
export const DISMISS_HINT = '不是同一客户的, 请在后台「疑似重复」里点「忽略」, 之后不再提示。';

const who = (s: PairSide) => `${s.code} ${s.name} (${s.owner ?? '未分配'}${isInactive(s.status) ? ', 已停用' : ''})`;

/** Why the pair was found: 同手机、同名称. */
export function signalText(p: DuplicatePair): string {
  return p.signals.map((s) => SIGNAL_LABELS[s]).join('、');
}

/** One pair in one line: `C1 名称 (负责人) ≈ C2 名称 (负责人) — 同手机`. */
export function pairLine(p: DuplicatePair): string {
  return `${who(p.a)} ≈ ${who(p.b)} — ${signalText(p)}`;
}

/** The chat command that merges the pair, keeping the older customer. */
export function mergeCommandText(p: DuplicatePair): string {
  return `合并客户 ${p.a.code} ${p.b.code}`;
}

function crowdLine(c: Crowd): string {
  return `${c.signal === 'phone' ? '同一手机号' : '同一名称'}有 ${c.size} 个客户 (如 ${c.codes.join('、')}), 太多无法逐对列出, 请在后台按${c.signal === 'phone' ? '手机' : '名称'}筛选后处理。`;
}

/** Numbered pairs with the merge command under each, at most `limit`, and what was left out. */
export function pairList(pairs: DuplicatePair[], limit: number): string[] {
  const lines = pairs.slice(0, limit).map((p, i) => `${i + 1}. ${pairLine(p)}\n   是同一客户: ${mergeCommandText(p)}`);
  if (pairs.length > limit) lines.push(`另有 ${pairs.length - limit} 对未列出, 请在后台「疑似重复」查看全部。`);
  return lines;
}

/** A whole scan as text (chat without a code, the CLI). */
export function scanText(scan: DuplicateScan, limit: number): string {
  if (!scan.pairs.length && !scan.crowds.length)
    return `没有发现疑似重复客户${scan.dismissed ? ` (已忽略 ${scan.dismissed} 对)` : ''}。`;
  const counts = (['phone', 'name', 'alias'] as const)
    .map((s) => [SIGNAL_LABELS[s], scan.pairs.filter((p) => p.signals.includes(s)).length] as const)
    .filter(([, n]) => n > 0);
  const lines = [
    `疑似重复客户 ${scan.pairs.length} 对${counts.length ? ` (${counts.map(([l, n]) => `${l} ${n}`).join(', ')})` : ''}${scan.dismissed ? `, 已忽略 ${scan.dismissed} 对` : ''}:`,
  ];
  lines.push(...pairList(scan.pairs, limit), ...scan.crowds.map(crowdLine));
  if (scan.pairs.length) lines.push(DISMISS_HINT);
  return lines.join('\n');
}

/** The pairs of one customer, seen from it. */
export function customerDuplicatesText(code: string, name: string, scan: DuplicateScan, limit: number): string {
  const others = scan.pairs.map((p) => ({ p, other: p.a.code === code ? p.b : p.a }));
  if (!others.length && !scan.crowds.length)
    return `没有发现与 ${code} ${name} 疑似重复的客户${scan.dismissed ? ` (已忽略 ${scan.dismissed} 对)` : ''}。`;
  const lines = [`与 ${code} ${name} 疑似重复的客户 ${others.length} 个:`];
  lines.push(
    ...others
      .slice(0, limit)
      .map(({ p, other }, i) => `${i + 1}. ${who(other)} — ${signalText(p)}\n   是同一客户: ${mergeCommandText(p)}`),
  );
  if (others.length > limit) lines.push(`另有 ${others.length - limit} 个未列出, 请在后台「疑似重复」查看全部。`);
  lines.push(...scan.crowds.map(crowdLine));
  if (others.length) lines.push(DISMISS_HINT);
  return lines.join('\n');
}
