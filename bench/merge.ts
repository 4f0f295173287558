// `npm run bench -- merge [--orders 10000] [--background 200000] [--keep]`
// Seeds MariaDB (BENCH_DATABASE_URL) with two customers holding `orders` orders each (plus a
// receivable per 10 orders and reservations) among `background` other orders, then times the
// approved merge (ONE transaction: claim, re-check, every reference moved, tombstone, alias,
// audit) against a same-run baseline: raw UPDATEs moving the same rows in one transaction.
import type { Core } from '../core/context.js';
import { approveMerge } from '../core/customers/merge/act.js';
import { requestMerge } from '../core/customers/merge/request.js';
import { unmerge } from '../core/customers/merge/undo.js';
import { withTransaction } from '../models/tx.js';
import {
  BENCH_URL,
  benchActor,
  closeBenchCore,
  fmt,
  freshMysqlDatabase,
  numberArgs,
  openBenchCore,
  settleServer,
  timed,
} from './_shared.js';

const args = numberArgs({ orders: 10_000, background: 200_000 });

/** A row source `s(seq)` for 1..to: MariaDB's SEQUENCE engine, else a numbers table built by doubling. */
async function numbers(core: Core, to: number): Promise<string> {
  const q = (sql: string) => core.models.sequelize.query(sql);
  try {
    await q('SELECT seq FROM seq_1_to_1');
    return `(SELECT seq FROM seq_1_to_${to}) AS s`;
  } catch {
    await q('CREATE TABLE IF NOT EXISTS bench_numbers (seq INT PRIMARY KEY)');
    await q('INSERT IGNORE INTO bench_numbers VALUES (1)');
    for (;;) {
      const [[row]] = (await q('SELECT MAX(seq) AS n FROM bench_numbers')) as unknown as [{ n: number }[]];
      if (row!.n >= to) break;
      await q(`INSERT INTO bench_numbers SELECT seq + ${row!.n} FROM bench_numbers`);
    }
    return `(SELECT seq FROM bench_numbers WHERE seq <= ${to}) AS s`;
  }
}

/** Customers 1 (M0000001, the survivor) and 2 (M0000002) hold `orders` each; 98 others share the background. */
async function seed(core: Core): Promise<void> {
  const q = (sql: string) => core.models.sequelize.query(sql);
  const total = args.orders * 2 + args.background;
  await q(`INSERT INTO customers (code, name, name_norm, status, version, created_at, updated_at)
    SELECT CONCAT('M', LPAD(seq, 7, '0')), CONCAT('合并基准', seq, '有限公司'), CONCAT('合并基准', seq), 'active', 1, NOW(), NOW() FROM ${await numbers(core, 100)}`);
  await q(`INSERT INTO sales_orders (number, customer_id, status, order_date, total, source, created_at, updated_at)
    SELECT CONCAT('SO', LPAD(seq, 10, '0')), CASE WHEN seq <= ${args.orders} THEN 1 WHEN seq <= ${args.orders * 2} THEN 2 ELSE 3 + seq % 98 END,
      CASE WHEN seq % 20 = 0 THEN 'confirmed' ELSE 'completed' END, DATE_ADD('2023-01-01', INTERVAL seq % 1200 DAY), 1 + (seq * 31) % 500000 / 100, 'local', NOW(), NOW()
    FROM ${await numbers(core, total)}`);
  await q(`INSERT INTO receivables (customer_id, order_id, amount, paid, due_date, status, source, created_at, updated_at)
    SELECT customer_id, id, total, 0, order_date, 'open', 'local', NOW(), NOW() FROM sales_orders WHERE id % 10 = 0`);
  await q(
    `INSERT INTO products (sku, name, unit, price, created_at, updated_at) VALUES ('P-BENCH', '基准产品', '件', '10.00', NOW(), NOW())`,
  );
  await q(`INSERT INTO reservations (product_id, customer_id, quantity, status, source, created_at, updated_at)
    SELECT 1, 1 + seq % 100, 1, 'active', 'local', NOW(), NOW() FROM ${await numbers(core, 2000)}`);
  await q('ANALYZE TABLE customers, sales_orders, receivables, reservations');
  for (const [table, index] of [
    ['sales_orders', 'sales_orders_customer_status'],
    ['sales_orders', 'sales_orders_customer_date'],
    ['receivables', 'receivables_customer_status'],
    ['reservations', 'reservations_customer_status'],
  ]) {
    await q(`SELECT COUNT(*) FROM ${table} FORCE INDEX (${index})`);
  }
}

const TABLES = ['sales_orders', 'receivables', 'reservations'];

/** The ids customer 2 holds per table, to move exactly those back after a baseline run. */
async function idsOf(core: Core, customerId: number): Promise<Map<string, number[]>> {
  const out = new Map<string, number[]>();
  for (const table of TABLES) {
    const [rows] = (await core.models.sequelize.query(`SELECT id FROM ${table} WHERE customer_id = ?`, {
      replacements: [customerId],
    })) as unknown as [{ id: number }[]];
    out.set(
      table,
      rows.map((r) => r.id),
    );
  }
  return out;
}

/** The baseline: the same rows moved by bare UPDATEs (one per table) in one transaction. */
async function rawMove(core: Core, from: number, to: number): Promise<void> {
  await withTransaction(core.models.sequelize, async (t) => {
    for (const table of TABLES)
      await core.models.sequelize.query(`UPDATE ${table} SET customer_id = ? WHERE customer_id = ?`, {
        replacements: [to, from],
        transaction: t,
      });
  });
}

/** Puts the baseline's rows back with customer 2 (untimed). */
async function moveBackRaw(core: Core, ids: Map<string, number[]>): Promise<void> {
  for (const [table, list] of ids) {
    for (let i = 0; i < list.length; i += 5000)
      await core.models.sequelize.query(`UPDATE ${table} SET customer_id = 2 WHERE id IN (?)`, {
        replacements: [list.slice(i, i + 5000)],
      });
  }
}

async function main(): Promise<void> {
  console.log(
    `merge 基准: MariaDB ${BENCH_URL.replace(/\/\/[^@]*@/, '//')}, 两个客户各 ${fmt(args.orders)} 张订单, 另有 ${fmt(args.background)} 张其他订单`,
  );
  const core = await openBenchCore(await freshMysqlDatabase());
  try {
    console.log(`  seeding ${fmt((await timed(() => seed(core))) / 1000, 1)} s`);
    const requester = await benchActor(core, '基准销售', ['admin']);
    const approver = await benchActor(core, '基准审批', ['approver']);
    // Warm-up and baseline: the rows move 2 → 1 and back, then once more timed.
    const mine = await idsOf(core, 2);
    await rawMove(core, 2, 1);
    await moveBackRaw(core, mine);
    await settleServer();
    const baseline = await timed(() => rawMove(core, 2, 1));
    await moveBackRaw(core, mine);
    await settleServer();
    const { merge } = await requestMerge(core, requester, { keep: 'M0000001', absorb: ['M0000002'], reason: '基准' });
    let moved = 0;
    const ms = await timed(async () => {
      const r = await approveMerge(core, approver, merge.id);
      moved = Object.values(r.moved).reduce((n, rows) => n + rows.length, 0);
    });
    const survivor = await core.models.SalesOrder.count({ where: { customerId: 1 } });
    await settleServer();
    const undoMs = await timed(() => unmerge(core, approver, merge.id));
    const back = await core.models.SalesOrder.count({ where: { customerId: 2 } });
    console.log(
      `\nmerge (批准即执行, 一个事务): ${fmt(ms, 0)} ms, 移动 ${fmt(moved)} 行, 保留客户现有订单 ${fmt(survivor)} 张   (目标 < 2000 ms: ${ms < 2000 ? '达到' : '未达到'})`,
    );
    console.log(
      `baseline (同样的行, 裸 UPDATE sales_orders/receivables/reservations, 一个事务): ${fmt(baseline, 0)} ms`,
    );
    console.log(`ratio: merge = ${fmt(ms / baseline, 1)} × baseline`);
    console.log(`undo (撤销合并, 一个事务, 逐行核对后移回): ${fmt(undoMs, 0)} ms, 订单回到并入客户 ${fmt(back)} 张`);
  } finally {
    await closeBenchCore(core, args.keep);
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.stack : err);
  process.exit(1);
});
