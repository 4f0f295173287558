import type { Core } from '../../context.js';
import { chunks, selectRows } from '../../data/sql.js';
import { normalizeName } from '../../text.js';
import type { LedgerRow } from './rows.js';
import { isLive } from '../../customers/lifecycle.js';
import { normalizeCode } from '../../customers/codes.js';
import { loadCustomers } from '../load.js';

interface NameHit {
  code: string;
  name: string;
  status: string;
  nameNorm: string;
}

/**
 * Files that name customers without a code: each name must match exactly one customer by its
 * normalised name (the same normalisation as duplicates and search). A customer in the recycle
 * bin counts only when no live customer has the name, so the 已删除 refusal can name it. A cell
 * that names no customer but is a customer's code is read as that code.
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
  const codes = await codesAmong(
    core,
    wanted.filter((r) => !hits.has(normalizeName(r.customerName!))).map((r) => r.customerName!),
  );
  for (const r of wanted) {
    if (codes.has(normalizeCode(r.customerName!))) {
      r.customerCode = normalizeCode(r.customerName!);
      continue;
    }
    const all = hits.get(normalizeName(r.customerName!)) ?? [];
    const live = all.filter((h) => isLive(h.status));
    const pick = live.length ? live : all;
    const fail = (message: string) => {
      r.errors.push({ row: r.rowNo, column, message });
      r.doc = null;
    };
    if (!pick.length) fail(`找不到名称或编码为「${r.customerName}」的客户。请核对, 或在文件里加上「客户编码」列`);
    else if (pick.length > 1)
      fail(
        `有 ${pick.length} 个客户都叫「${r.customerName}」(${pick.map((h) => h.code).join('、')}), 无法确定是哪一个。请在文件里加上「客户编码」列`,
      );
    else r.customerCode = pick[0]!.code;
  }
}

/**
 * Of the cells no customer is named, those that are a customer's code: many exports have one 客户
 * column, holding codes in some companies and names in others.
 */
async function codesAmong(core: Core, cells: string[]): Promise<Set<string>> {
  const codes = [...new Set(cells.map(normalizeCode))].filter(Boolean);
  return new Set(codes.length ? (await loadCustomers(core, codes, null)).keys() : []);
}
