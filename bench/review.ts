// `npm run bench -- review [--customers 100000] [--orders 2000000] [--runs 5] [--keep] [--reuse]`
// Seeds MariaDB (BENCH_DATABASE_URL, default …/steward_bench_review) with bulk INSERT … SELECT,
// then times the inactive-customer review query against, in the same run, the naive way: list
// the active customers and ask for each one's last order (one indexed query per customer), and
// checks that both find the same customers.
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import type { Actor, Core } from '../core/context.js';
import { addFigures, findInactive, inactiveRows, inactiveStatement, reviewWindow } from '../core/review/inactive.js';
import { SHOWN_PER_PERSON } from '../jobs/review-digest.js';
import {
  benchActor,
  closeBenchCore,
  fmt,
  freshMysqlDatabase,
  numberArgs,
  openBenchCore,
  quantile,
  timed,
} from './_shared.js';

// --reuse: time again on the database a previous `--keep` run left (same sizes), without seeding.
const reuse = process.argv.includes('--reuse');
const args = numberArgs(
  { customers: 100_000, orders: 2_000_000, owners: 20, runs: 5 },
  process.argv.slice(2).filter((a) => a !== '--reuse'),
);
// Fixed throw-away keys, so a kept database opens again with --reuse (the data holds nothing secret).
const BENCH_KEYS = {
  STEWARD_DATA_KEY: Buffer.alloc(32, 1).toString('base64'),
  STEWARD_INDEX_KEY: Buffer.alloc(32, 2).toString('base64'),
};
const URL_DEFAULT = process.env.BENCH_DATABASE_URL ?? 'mysql://root@127.0.0.1:3306/steward_bench_review';
const CHUNK = 250_000;

async function step(label: string, fn: () => Promise<unknown>): Promise<void> {
  const ms = await timed(fn);
  console.log(`  ${label.padEnd(46)} ${fmt(ms / 1000, 1)} s`);
}

/** A row source covering from..to (MariaDB's SEQUENCE engine). */
const seq = (from: number, to: number) => `(SELECT seq FROM seq_${from}_to_${to}) AS s`;

/**
 * 90 % active, 7 % inactive, 3 % deleted; every 50th customer never ordered; every 10th (ending in 3)
 * went quiet 200+ days ago; the rest order spread over three years (so a few are quiet by chance).
 */
async function seed(core: Core, customers: number, orders: number, owners: number): Promise<void> {
  const q = (sql: string) => core.models.sequelize.query(sql);
  await step(`${owners} operators, ${fmt(customers)} customers`, async () => {
    await q(`INSERT INTO operators (display_name, roles, active, created_at, updated_at)
      SELECT CONCAT('销售', seq), 'sales', 1, NOW(), NOW() FROM ${seq(1, owners)}`);
    await q(`INSERT INTO customers (code, name, name_norm, owner_id, status, version, created_at, updated_at)
      SELECT CONCAT('R', LPAD(seq, 7, '0')), CONCAT('基准客户', seq, '有限公司'), CONCAT('基准客户', seq), 1 + seq % ${owners},
        CASE WHEN seq % 100 < 90 THEN 'active' WHEN seq % 100 < 97 THEN 'inactive' ELSE 'deleted' END, 1,
        DATE_SUB(NOW(), INTERVAL 30 + seq % 1100 DAY), NOW()
      FROM ${seq(1, customers)}`);
  });
  await step(`${fmt(orders)} orders`, async () => {
    for (let from = 1; from <= orders; from += CHUNK) {
      const to = Math.min(from + CHUNK - 1, orders);
      // c = the customer this order belongs to; never-ordered customers hand theirs to the neighbour.
      await q(`INSERT INTO sales_orders (number, customer_id, status, order_date, total, created_at, updated_at)
        SELECT CONCAT('SO', LPAD(seq, 10, '0')), CASE WHEN c % 50 = 0 THEN c - 1 ELSE c END,
          CASE WHEN (seq * 7919) % 100 < 5 THEN 'cancelled' WHEN (seq * 7919) % 100 < 8 THEN 'confirmed' ELSE 'completed' END,
          DATE_SUB(CURDATE(), INTERVAL CASE WHEN c % 10 = 3 THEN 200 + (seq * 7919) % 900 ELSE (seq * 7919) % 1100 END DAY),
          1 + (seq * 31) % 500000 / 100, NOW(), NOW()
        FROM (SELECT seq, 1 + FLOOR((seq - 1) * ${customers} / ${orders}) AS c FROM ${seq(from, to)}) AS o`);
    }
  });
  await step('receivables (1 per 10 orders, 2 % open)', () =>
    q(`INSERT INTO receivables (customer_id, order_id, amount, paid, due_date, status, created_at, updated_at)
    SELECT customer_id, id, total, CASE WHEN id % 50 = 0 THEN total / 2 ELSE total END, order_date, CASE WHEN id % 50 = 0 THEN 'open' ELSE 'paid' END, NOW(), NOW()
    FROM sales_orders WHERE id % 10 = 0`),
  );
  // last_order_at holds only dates known from outside the orders (core/customers/last-order.ts): here
  // every 10th customer's, as a jshERP sync of closed sales would leave them; the rest stay empty.
  await step('customers.last_order_at for every 10th customer (outside dates)', () =>
    q(`UPDATE customers c JOIN (SELECT customer_id, MAX(order_date) AS m FROM sales_orders GROUP BY customer_id) x
    ON x.customer_id = c.id SET c.last_order_at = x.m WHERE c.id % 10 = 0`),
  );
  await step('ANALYZE TABLE', () => q('ANALYZE TABLE operators, customers, sales_orders, receivables, customer_keeps'));
  // Read each index once so the change buffer is merged and we time the steady state, not the merge.
  await step('settle (read each index once)', async () => {
    for (const [table, index] of [
      ['sales_orders', 'sales_orders_customer_date'],
      ['sales_orders', 'PRIMARY'],
      ['receivables', 'receivables_customer_status'],
      ['customers', 'customers_status_created'],
    ]) {
      await q(`SELECT COUNT(*) FROM ${table} FORCE INDEX (${index})`);
    }
  });
}

/** The naive way: every active customer old enough, then one last-order query each. */
async function naive(core: Core): Promise<Set<number>> {
  const { sequelize } = core.models;
  const w = reviewWindow(core);
  const [candidates] = (await sequelize.query("SELECT id FROM customers WHERE status = 'active' AND created_at < ?", {
    replacements: [w.createdBefore],
  })) as [{ id: number }[], unknown];
  const out = new Set<number>();
  for (const { id } of candidates) {
    const [[row]] = (await sequelize.query('SELECT MAX(order_date) AS last FROM sales_orders WHERE customer_id = ?', {
      replacements: [id],
    })) as [{ last: string | Date | null }[], unknown];
    const last = row?.last instanceof Date ? row.last.toISOString().slice(0, 10) : (row?.last ?? null);
    if (!last || last < w.since) out.add(Number(id));
  }
  return out;
}

async function explain(core: Core): Promise<void> {
  const { sql, replacements } = inactiveStatement(core);
  const [rows] = (await core.models.sequelize.query(`EXPLAIN ${sql}`, { replacements })) as [
    Record<string, unknown>[],
    unknown,
  ];
  console.log('\nEXPLAIN (review query):');
  for (const r of rows)
    console.log(
      `  ${String(r.select_type).padEnd(18)} ${String(r.table).padEnd(3)} type=${String(r.type).padEnd(7)} key=${String(r.key).padEnd(34)} rows=${String(r.rows).padEnd(7)} ${String(r.Extra ?? '')}`,
    );
}

/** Seeds a fresh database, or with --reuse checks that the kept one has the rows asked for. */
async function seedOrReuse(core: Core, started: number): Promise<void> {
  if (reuse) {
    const [customers, orders] = await Promise.all([core.models.Customer.count(), core.models.SalesOrder.count()]);
    if (customers !== args.customers || orders !== args.orders)
      throw new Error(
        `--reuse: 库里有 ${customers} 客户 / ${orders} 订单, 与参数不符; 先不带 --reuse 运行一次 (加 --keep 保留)。`,
      );
    console.log(`  reusing the kept database (${fmt(customers)} customers, ${fmt(orders)} orders)`);
  } else {
    await seed(core, args.customers, args.orders, args.owners);
    console.log(`  ${'seeding total'.padEnd(46)} ${fmt((performance.now() - started) / 1000, 1)} s`);
  }
}

/** The review query after a warm-up, `runs` times: each run's time and the customers it found. */
async function timedReviews(core: Core) {
  await inactiveRows(core);
  const times: number[] = [];
  let ids = new Set<number>();
  for (let i = 0; i < args.runs; i++) {
    times.push(
      await timed(async () => {
        ids = new Set((await inactiveRows(core)).rows.map((r) => Number(r.id)));
      }),
    );
  }
  return { times, ids };
}

/** What the weekly job reads: the list, then sales and receivables for what each digest shows. */
async function timedDigestData(core: Core, actor: Actor) {
  let shown = 0;
  const full = await timed(async () => {
    const all = (await findInactive(core, actor, { figures: 0 })).customers;
    const byOwner = new Map<number | null, typeof all>();
    for (const c of all) byOwner.set(c.ownerId, [...(byOwner.get(c.ownerId) ?? []), c]);
    for (const list of byOwner.values()) {
      await addFigures(core, list.slice(0, SHOWN_PER_PERSON));
      shown += Math.min(list.length, SHOWN_PER_PERSON);
    }
  });
  return { full, shown };
}

async function main(): Promise<void> {
  console.log(
    `review 基准: MariaDB ${URL_DEFAULT.replace(/\/\/[^@]*@/, '//')}, ${fmt(args.customers)} 客户, ${fmt(args.orders)} 订单`,
  );
  const started = performance.now();
  const core = await openBenchCore(reuse ? URL_DEFAULT : await freshMysqlDatabase(URL_DEFAULT), BENCH_KEYS);
  try {
    await seedOrReuse(core, started);
    const actor = await benchActor(core, '基准只读', ['viewer']);
    await explain(core);
    const { times, ids } = await timedReviews(core);
    const { full, shown } = await timedDigestData(core, actor);
    let naiveIds = new Set<number>();
    const naiveMs = await timed(async () => {
      naiveIds = await naive(core);
    });
    const same = naiveIds.size === ids.size && [...ids].every((id) => naiveIds.has(id));
    const med = quantile(times, 0.5);
    console.log(`\n不活跃客户 (超过 180 天未下单, 含从未下单): ${fmt(ids.size)} 个`);
    console.log(
      `review query (one statement: each active customer's newest order, read backwards on sales_orders(customer_id, order_date)), ${args.runs} runs:`,
    );
    console.log(
      `  median ${fmt(med, 1)} ms · min ${fmt(Math.min(...times), 1)} ms · max ${fmt(Math.max(...times), 1)} ms   (目标 < 1000 ms: ${med < 1000 ? '达到' : '未达到'})`,
    );
    console.log(
      `  whole digest data (list + lifetime sales and open receivables for the ${fmt(shown)} customers the digests show, batched): ${fmt(full, 1)} ms`,
    );
    console.log(`naive: one "SELECT MAX(order_date) … WHERE customer_id = ?" per active customer, same run:`);
    console.log(`  ${fmt(naiveMs, 0)} ms   (results ${same ? 'identical' : 'DIFFER'})`);
    console.log(
      `ratio: naive / review query = ${fmt(naiveMs / med, 1)}×   (目标 ≥ 20×: ${naiveMs / med >= 20 ? '达到' : '未达到'})`,
    );
    console.log(
      `machine: ${os.cpus().length} cores, load average ${os
        .loadavg()
        .map((l) => l.toFixed(1))
        .join(' / ')} (other work on the machine inflates both timings)`,
    );
    if (!same) process.exitCode = 1;
  } finally {
    await closeBenchCore(core, args.keep || reuse);
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
