import { OPEN_ORDER_STATUSES } from '../../models/index.js';
import { verifyAuditChain, type ChainReport } from '../audit.js';
import type { Core } from '../context.js';
import { codeReport } from '../customers/code-report.js';
import { findDuplicatePairs } from '../customers/duplicates/scan.js';
import { asCount, select } from '../reports/sql.js';

/** One check of the 数据完整性验证, with a few examples of what it found. */
export interface IntegrityFinding {
  key: string;
  title: string;
  /** error: data is wrong and someone must act; warning: worth tidying. */
  severity: 'error' | 'warning';
  count: number;
  samples: string[];
}

export interface IntegrityReport {
  /** No error-level finding. */
  ok: boolean;
  findings: IntegrityFinding[];
  audit: ChainReport;
}

const SAMPLE = 10;
const OPEN_ORDERS = OPEN_ORDER_STATUSES.map((s) => `'${s}'`).join(',');

/** The orphan and open-document checks as SQL: each returns the sample labels of its rows. */
const CHECKS: { key: string; title: string; severity: 'error' | 'warning'; from: string; label: string }[] = [
  {
    key: 'orphanOrders',
    title: '孤立订单 (客户不存在)',
    severity: 'error',
    label: 'o.number',
    from: 'sales_orders o WHERE NOT EXISTS (SELECT 1 FROM customers c WHERE c.id = o.customer_id)',
  },
  {
    key: 'orphanReceivables',
    title: '孤立应收款 (客户或订单不存在)',
    severity: 'error',
    label: "CONCAT_WS('', '#', r.id)",
    from: 'receivables r WHERE NOT EXISTS (SELECT 1 FROM customers c WHERE c.id = r.customer_id) OR (r.order_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM sales_orders o WHERE o.id = r.order_id))',
  },
  {
    key: 'orphanReservations',
    title: '孤立库存预留 (客户、产品或订单不存在)',
    severity: 'error',
    label: "CONCAT_WS('', '#', s.id)",
    from: 'reservations s WHERE NOT EXISTS (SELECT 1 FROM customers c WHERE c.id = s.customer_id) OR NOT EXISTS (SELECT 1 FROM products p WHERE p.id = s.product_id) OR (s.order_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM sales_orders o WHERE o.id = s.order_id))',
  },
  {
    key: 'deletedWithOpenDocuments',
    title: '已删除客户仍有未了结业务',
    severity: 'error',
    label: 'c.code',
    from: `customers c WHERE c.status = 'deleted' AND (EXISTS (SELECT 1 FROM sales_orders o WHERE o.customer_id = c.id AND o.status IN (${OPEN_ORDERS}))
      OR EXISTS (SELECT 1 FROM receivables r WHERE r.customer_id = c.id AND r.status = 'open') OR EXISTS (SELECT 1 FROM reservations s WHERE s.customer_id = c.id AND s.status = 'active'))`,
  },
];

async function runCheck(core: Core, check: (typeof CHECKS)[number]): Promise<IntegrityFinding> {
  // SQLite has no CONCAT_WS; its || does the same job.
  const label =
    core.models.sequelize.getDialect() === 'sqlite'
      ? check.label.replace(/CONCAT_WS\('', '#', (\w+\.id)\)/, "'#' || $1")
      : check.label;
  const [count] = await select<{ n: unknown }>(core, `SELECT COUNT(*) AS n FROM ${check.from}`, {});
  const n = asCount(count?.n);
  const samples = n
    ? (await select<{ label: string }>(core, `SELECT ${label} AS label FROM ${check.from} LIMIT ${SAMPLE}`, {})).map(
        (r) => String(r.label),
      )
    : [];
  return { key: check.key, title: check.title, severity: check.severity, count: n, samples };
}

/**
 * The 数据完整性验证: orphaned orders, receivables and reservations, deleted customers that still
 * have open documents, the audit chain, codes that break the current rule (and near-duplicates),
 * 疑似重复 customers, and a denormalised last-order date that disagrees with the orders.
 */
export async function integrityReport(core: Core): Promise<IntegrityReport> {
  const findings: IntegrityFinding[] = [];
  for (const check of CHECKS) findings.push(await runCheck(core, check));
  const audit = await verifyAuditChain(core);
  findings.push({
    key: 'auditChain',
    title: '审计日志链断裂',
    severity: 'error',
    count: audit.ok ? 0 : 1,
    samples: audit.ok ? [] : [`第 ${audit.brokenAt} 条: ${audit.reason}`],
  });
  const codes = await codeReport(core);
  findings.push({
    key: 'offRuleCodes',
    title: `编码不符合当前规则 ${codes.rule}`,
    severity: 'warning',
    count: codes.offRule.length,
    samples: codes.offRule.slice(0, SAMPLE),
  });
  findings.push({
    key: 'nearDuplicateCodes',
    title: '编码仅大小写/全半角/分隔符不同',
    severity: 'warning',
    count: codes.nearDuplicates.length,
    samples: codes.nearDuplicates.slice(0, SAMPLE).map((g) => g.join(' ≈ ')),
  });
  // The same 疑似重复 as chat and the back office (dismissed and merged pairs left out).
  const dupes = await findDuplicatePairs(core);
  findings.push({
    key: 'duplicateCustomers',
    title: '疑似重复客户 (同手机/同名称/与已并入的客户相同)',
    severity: 'warning',
    count: dupes.pairs.length,
    samples: dupes.pairs.slice(0, SAMPLE).map((p) => `${p.a.code} ≈ ${p.b.code}`),
  });
  return { ok: findings.every((f) => f.severity !== 'error' || f.count === 0), findings, audit };
}

/** The report as chat/terminal text, problems first. */
export function integrityText(r: IntegrityReport): string {
  const lines = [r.ok ? '数据完整性验证: 通过 ✅' : '数据完整性验证: 发现问题 ❌'];
  const sorted = [...r.findings].sort(
    (a, b) => Number(b.count > 0) - Number(a.count > 0) || (a.severity === 'error' ? -1 : 1),
  );
  for (const f of sorted) {
    if (!f.count) continue;
    const mark = f.severity === 'error' ? '❌' : '⚠️';
    lines.push(
      `${mark} ${f.title}: ${f.count}${f.samples.length ? ` — ${f.samples.join('、')}${f.count > f.samples.length ? ' 等' : ''}` : ''}`,
    );
  }
  const clean = r.findings.filter((f) => !f.count).map((f) => f.title.replace(/ \(.*\)$/, ''));
  if (clean.length) lines.push(`✅ 未发现: ${clean.join('、')}`);
  lines.push(`审计日志: 已校验 ${r.audit.checked} 条${r.audit.ok ? ', 链完整' : ''}。`);
  return lines.join('\n');
}
