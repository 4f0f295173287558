import type { Core } from '../../context.js';
import { chunks, selectRows } from '../../data/sql.js';
import { normalizeName } from '../../text.js';
import type { LedgerRow } from './rows.js';
import { isLive } from '../../customers/lifecycle.js';

interface NameHit {
  code: string;
  name: string;
  status: string;
  nameNorm: string;
}

/**
 * Files that name customers without a code: each name must match exactly one customer by its
 * normalised name (the same normalisation as duplicates and search). A customer in the recycle
 * bin counts only when no live customer has the name, so the 已删除 refusal can name it.
 */
export async function resolveCustomerNames(core: Core, rows: LedgerRow[], column: string): Promise<void> {
  const wanted = rows.filter((r) => !r.customerCode && r.customerName);
  if (!wanted.length) return;
  const norms = [...new Set(wanted.map((r) => normalizeName(r.customerName!)))];
  const hits = new Map<string, NameHit[]>();
  for (const list of chunks(norms)) {
    const found = await selectRows<NameHit>(
      core.models.sequelize,
      'SELECT code, name, status, name_norm AS nameNorm FROM customers WHERE name_norm IN (?)',
      [list],
      null,
    );
    for (const h of found) hits.set(h.nameNorm, [...(hits.get(h.nameNorm) ?? []), h]);
  }
  for (const r of wanted) {
    const all = hits.get(normalizeName(r.customerName!)) ?? [];
    const live = all.filter((h) => isLive(h.status));
    const pick = live.length ? live : all;
    const fail = (message: string) => {
      r.errors.push({ row: r.rowNo, column, message });
      r.doc = null;
    };
    if (!pick.length) fail(`找不到名为「${r.customerName}」的客户。请核对名称, 或在文件里加上「客户编码」列`);
    else if (pick.length > 1)
      fail(
        `有 ${pick.length} 个客户都叫「${r.customerName}」(${pick.map((h) => h.code).join('、')}), 无法确定是哪一个。请在文件里加上「客户编码」列`,
      );
    else r.customerCode = pick[0]!.code;
  }
}
