// `npm run bench -- precheck [--customers 20000] [--orders 2000000] [--samples 200] [--keep]`
// Seeds MariaDB (BENCH_DATABASE_URL) with customers, orders, receivables and reservations in bulk
// INSERT … SELECT statements, then times precheck() on random customers against a single raw
// COUNT(*) of one customer's orders as the baseline.
import { performance } from 'node:perf_hooks';
import type { Core } from '../core/context.js';
import { precheck } from '../core/deletion/precheck.js';
import {
  BENCH_URL,
  benchActor,
  closeBenchCore,
  fmt,
  freshMysqlDatabase,
  numberArgs,
  openBenchCore,
  quantile,
  timed,
} from './_shared.js';

const args = numberArgs({ customers: 20_000, orders: 2_000_000, samples: 200 });
const CHUNK = 250_000;

/** A row source `s(seq)` covering from..to: MariaDB's SEQUENCE engine, or a numbers table built by doubling. */
async function numbers(core: Core, from: number, to: number): Promise<string> {
  const q = (sql: string) => core.models.sequelize.query(sql);
  try {
    await q('SELECT seq FROM seq_1_to_1');
    return `(SELECT seq FROM seq_${from}_to_${to}) AS s`;
  } catch {
    await q('CREATE TABLE IF NOT EXISTS bench_numbers (seq INT PRIMARY KEY)');
    await q('INSERT IGNORE INTO bench_numbers VALUES (1)');
    for (;;) {
      const [[row]] = (await q('SELECT MAX(seq) AS n FROM bench_numbers')) as unknown as [{ n: number }[]];
      if (row!.n >= to) break;
      await q(`INSERT INTO bench_numbers SELECT seq + ${row!.n} FROM bench_numbers`);
    }
    return `(SELECT seq FROM bench_numbers WHERE seq BETWEEN ${from} AND ${to}) AS s`;
  }
}

async function step(label: string, fn: () => Promise<unknown>): Promise<void> {
  const ms = await timed(fn);
  console.log(`  ${label.padEnd(44)} ${fmt(ms / 1000, 1)} s`);
}

/** Customers B0000001…, orders spread evenly over them (~6 % still open), then receivables and reservations. */
async function seed(core: Core, customers: number, orders: number): Promise<void> {
  const q = (sql: string) => core.models.sequelize.query(sql);
  await step(`${fmt(customers)} customers`, async () => {
    await q(`INSERT INTO customers (code, name, name_norm, status, version, created_at, updated_at)
      SELECT CONCAT('B', LPAD(seq, 7, '0')), CONCAT('基准客户', seq, '有限公司'), CONCAT('基准客户', seq), 'active', 1, NOW(), NOW()
      FROM ${await numbers(core, 1, customers)}`);
  });
  await step(`${fmt(orders)} orders`, async () => {
    for (let from = 1; from <= orders; from += CHUNK) {
      const to = Math.min(from + CHUNK - 1, orders);
      await q(`INSERT INTO sales_orders (number, customer_id, status, order_date, total, created_at, updated_at)
        SELECT CONCAT('SO', LPAD(seq, 10, '0')), 1 + FLOOR((seq - 1) * ${customers} / ${orders}),
          CASE WHEN (seq * 7919) % 100 < 3 THEN 'draft' WHEN (seq * 7919) % 100 < 5 THEN 'confirmed' WHEN (seq * 7919) % 100 < 6 THEN 'shipped'
               WHEN (seq * 7919) % 100 < 9 THEN 'cancelled' ELSE 'completed' END,
          DATE_ADD('2023-01-01', INTERVAL seq % 1200 DAY), 1 + (seq * 31) % 500000 / 100, NOW(), NOW()
        FROM ${await numbers(core, from, to)}`);
    }
  });
  await step('receivables (1 per 10 orders)', () =>
    q(`INSERT INTO receivables (customer_id, order_id, amount, paid, due_date, status, created_at, updated_at)
    SELECT customer_id, id, total, CASE WHEN id % 50 = 0 THEN total / 2 ELSE total END, order_date, CASE WHEN id % 50 = 0 THEN 'open' ELSE 'paid' END, NOW(), NOW()
    FROM sales_orders WHERE id % 10 = 0`),
  );
  await step('products and reservations (2 per customer)', async () => {
    await q(
      `INSERT INTO products (sku, name, unit, price, created_at, updated_at) VALUES ('P-BENCH', '基准产品', '件', '10.00', NOW(), NOW())`,
    );
    await q(`INSERT INTO reservations (product_id, customer_id, order_id, quantity, status, created_at, updated_at)
      SELECT 1, 1 + (seq - 1) % ${customers}, NULL, 1 + seq % 20, CASE WHEN seq % 3 = 0 THEN 'active' ELSE 'released' END, NOW(), NOW()
      FROM ${await numbers(core, 1, customers * 2)}`);
  });
  await step('ANALYZE TABLE', () => q('ANALYZE TABLE customers, sales_orders, receivables, reservations'));
  // Right after a bulk load InnoDB still holds index changes in its change buffer and merges
  // them on first read; reading each index once brings the database to the steady state a
  // running system is in, instead of timing the merge.
  await step('settle (read each index once)', async () => {
    for (const [table, index] of [
      ['sales_orders', 'sales_orders_customer_status'],
      ['sales_orders', 'sales_orders_customer_date'],
      ['receivables', 'receivables_customer_status'],
      ['reservations', 'reservations_customer_status'],
      ['customers', 'customers_code_unique'],
    ]) {
      await q(`SELECT COUNT(*) FROM ${table} FORCE INDEX (${index})`);
    }
  });
}

function sample(customers: number, n: number): string[] {
  return Array.from({ length: n }, () => `B${String(1 + Math.floor(Math.random() * customers)).padStart(7, '0')}`);
}

async function main(): Promise<void> {
  console.log(
    `precheck 基准: MariaDB ${BENCH_URL.replace(/\/\/[^@]*@/, '//')}, ${fmt(args.customers)} 客户, ${fmt(args.orders)} 订单`,
  );
  const started = performance.now();
  const core = await openBenchCore(await freshMysqlDatabase());
  try {
    await seed(core, args.customers, args.orders);
    console.log(`  ${'seeding total'.padEnd(44)} ${fmt((performance.now() - started) / 1000, 1)} s`);
    const actor = await benchActor(core, '基准只读', ['viewer']);
    const { sequelize } = core.models;
    const count = (id: number) =>
      sequelize.query('SELECT COUNT(*) AS n FROM sales_orders WHERE customer_id = ?', { replacements: [id] });
    // Warm the connection pool and the JIT first; then time precheck and the baseline in turn on
    // the same customers, so both see the same cache state and machine load.
    for (const code of sample(args.customers, 100))
      await Promise.all([precheck(core, actor, code), count(Number(code.slice(1)))]);
    const times: number[] = [];
    const baseline: number[] = [];
    let blocked = 0;
    for (const code of sample(args.customers, args.samples)) {
      times.push(
        await timed(async () => {
          blocked += (await precheck(core, actor, code)).blockers.length ? 1 : 0;
        }),
      );
      baseline.push(await timed(() => count(Number(code.slice(1)))));
    }
    const med = quantile(times, 0.5);
    const base = quantile(baseline, 0.5);
    console.log(`\nprecheck (${args.samples} 个随机客户, ${blocked} 个有阻塞项):`);
    console.log(
      `  median ${fmt(med, 2)} ms · p95 ${fmt(quantile(times, 0.95), 2)} ms · max ${fmt(Math.max(...times), 2)} ms   (目标 median < 5 ms: ${med < 5 ? '达到' : '未达到'})`,
    );
    console.log(`baseline: 单条 SELECT COUNT(*) FROM sales_orders WHERE customer_id=?`);
    console.log(`  median ${fmt(base, 2)} ms · p95 ${fmt(quantile(baseline, 0.95), 2)} ms`);
    console.log(`ratio: precheck median = ${fmt(med / base, 1)} × baseline median`);
  } finally {
    await closeBenchCore(core, args.keep);
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
