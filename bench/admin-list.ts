// `npm run bench -- admin-list [--customers 100000] [--requests 200] [--keep]`: seeds customers in
// MariaDB with multi-row INSERTs, logs in to the back office and times the API call AdminJS's
// 客户 list page makes for its first page, through the real HTTP app (also sorted by 最近下单, which
// is read from 500k orders). In the same run it times a
// bare Koa route on the same machine, and prints median, p95 and the ratio. Goal: < 300 ms.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import Koa from 'koa';
import { performance } from 'node:perf_hooks';
import { buildApp } from '../cli/server/app.js';
import type { Core } from '../core/context.js';
import { hashPassword } from '../core/operators.js';
import { blindIndex, encrypt } from '../core/privacy.js';
import { normalizeName } from '../core/text.js';
import { adminMount } from '../admin/index.js';
import { closeBenchCore, fmt, freshMysqlDatabase, numberArgs, openBenchCore, quantile } from './_shared.js';

const URL_DEFAULT = 'mysql://root@127.0.0.1:3306/steward_bench_admin';
const CATS = ['经销商', '批发商', '零售商', '终端客户', '电商', '其他'];
const STATUSES = [
  'active',
  'active',
  'active',
  'active',
  'active',
  'active',
  'active',
  'active',
  'inactive',
  'deleted',
];
const PASSWORD = 'bench-password-1';

/** 100k customers as the app stores them (encrypted phone and address, blind index), 2,000 per INSERT. */
async function seed(core: Core, total: number): Promise<number> {
  const started = performance.now();
  const qi = core.models.sequelize.getQueryInterface();
  const owners = await core.models.Operator.bulkCreate(
    Array.from({ length: 20 }, (_, i) => ({
      displayName: `销售${i + 1}`,
      roles: 'sales',
      email: `sales${i + 1}@bench.local`,
      passwordHash: null,
      active: true,
    })),
  );
  const now = Date.now();
  for (let start = 0; start < total; start += 2000) {
    const rows = [];
    for (let i = start; i < Math.min(start + 2000, total); i++) {
      const phone = String(13000000000 + i);
      const name = `基准客户${i}贸易有限公司`;
      const at = new Date(now - (i % 1000) * 86400_000);
      rows.push({
        code: `B${String(i).padStart(7, '0')}`,
        name,
        name_norm: normalizeName(name),
        contact: `联系人${i % 997}`,
        phone_enc: encrypt(core.keys, phone),
        phone_hash: blindIndex(core.keys, phone),
        address_enc: encrypt(core.keys, `上海市浦东新区基准路 ${i} 号`),
        category: CATS[i % CATS.length],
        owner_id: owners[i % owners.length]!.id,
        status: STATUSES[i % STATUSES.length],
        version: 1,
        // Only dates known from outside the orders live here (a jshERP sync's closed sales): every 10th.
        last_order_at: i % 10 === 0 ? new Date(now - (i % 400) * 86400_000) : null,
        created_at: at,
        updated_at: at,
      });
    }
    await qi.bulkInsert('customers', rows);
  }
  // 最近下单 comes from the orders: 5 a customer over 400 days, 5 % cancelled.
  await core.models.sequelize
    .query(`INSERT INTO sales_orders (number, customer_id, status, order_date, total, created_at, updated_at)
    SELECT CONCAT('SO', LPAD(seq, 10, '0')), 1 + (seq - 1) % ${total},
      CASE WHEN (seq * 7919) % 100 < 5 THEN 'cancelled' ELSE 'completed' END,
      DATE_SUB(CURDATE(), INTERVAL (seq * 7919) % 400 DAY), 100, NOW(), NOW() FROM seq_1_to_${total * 5}`);
  await core.models.sequelize.query('ANALYZE TABLE customers, sales_orders');
  return performance.now() - started;
}

async function listen(callback: http.RequestListener): Promise<{ url: string; close(): Promise<void> }> {
  const server = http.createServer(callback);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Latencies (ms) of `n` sequential GETs after a warm-up, failing on any non-200 answer. */
async function measure(url: string, n: number, cookie = ''): Promise<number[]> {
  const once = async () => {
    const t = performance.now();
    const res = await fetch(url, { headers: cookie ? { cookie } : {} });
    const body = await res.text();
    if (res.status !== 200) throw new Error(`GET ${url} → ${res.status}: ${body.slice(0, 200)}`);
    return performance.now() - t;
  };
  for (let i = 0; i < 20; i++) await once();
  const out: number[] = [];
  for (let i = 0; i < n; i++) out.push(await once());
  return out;
}

async function login(base: string, email: string): Promise<string> {
  const res = await fetch(`${base}/admin/login`, {
    method: 'POST',
    body: new URLSearchParams({ email, password: PASSWORD }),
    // The back office refuses a POST that does not name its own origin (CSRF defence), as a browser does.
    headers: { origin: base },
    redirect: 'manual',
  });
  if (res.status !== 302) throw new Error(`登录失败: HTTP ${res.status}`);
  return res.headers
    .getSetCookie()
    .map((c) => c.split(';')[0])
    .join('; ');
}

const line = (label: string, v: number[]) =>
  `${label.padEnd(34)} 中位数 ${fmt(quantile(v, 0.5), 1).padStart(7)} ms   p95 ${fmt(quantile(v, 0.95), 1).padStart(7)} ms`;

async function main(): Promise<void> {
  const args = numberArgs({ customers: 100_000, requests: 200 });
  const url = await freshMysqlDatabase(process.env.BENCH_DATABASE_URL ?? URL_DEFAULT);
  const core = await openBenchCore(url);
  try {
    process.stdout.write(`写入 ${fmt(args.customers)} 个客户 (每条 INSERT 2,000 行)… `);
    const seedMs = await seed(core, args.customers);
    console.log(`${fmt(seedMs / 1000, 1)} s`);
    await core.models.Operator.create({
      displayName: '基准管理员',
      roles: 'admin',
      email: 'bench@bench.local',
      passwordHash: await hashPassword(PASSWORD),
      active: true,
    });
    const app = await listen((await buildApp(core, [adminMount(core)])).callback());
    const bareApp = new Koa();
    bareApp.use(async (ctx) => {
      ctx.body = { ok: true };
    });
    const bare = await listen(bareApp.callback());
    try {
      const cookie = await login(app.url, 'bench@bench.local');
      const page = `${app.url}/admin/api/resources/customers/actions/list`;
      const probe = (await (await fetch(page, { headers: { cookie } })).json()) as {
        meta: { total: number };
        records: unknown[];
      };
      if (probe.records.length !== 20) throw new Error(`第一页应有 20 行, 实际 ${probe.records.length}`);
      const list = await measure(page, args.requests, cookie);
      const filtered = await measure(
        `${page}?filters.status=inactive&sortBy=lastOrderAt&direction=desc`,
        args.requests,
        cookie,
      );
      const sorted = await measure(
        `${page}?sortBy=lastOrderAt&direction=desc`,
        Math.max(20, args.requests / 5),
        cookie,
      );
      const baseline = await measure(`${bare.url}/`, args.requests);
      const ratio = quantile(list, 0.5) / quantile(baseline, 0.5);
      console.log(`\n客户列表第一页 (${fmt(probe.meta.total)} 个未删除客户, 每页 20 行), ${args.requests} 次顺序请求:`);
      console.log(line('GET /admin/api/…/customers/list', list));
      console.log(line('  同上, 筛选停用 + 按最近下单排序', filtered));
      console.log(line('  同上, 全部客户按最近下单排序', sorted));
      console.log(line('裸 Koa 路由 (同机同进程)', baseline));
      console.log(`比值 (中位数): ${fmt(ratio, 1)}×`);
      const p95 = quantile(list, 0.95);
      console.log(`目标 < 300 ms: ${p95 < 300 ? '达成' : '未达成'} (p95 ${fmt(p95, 1)} ms)`);
      if (p95 >= 300) process.exitCode = 1;
    } finally {
      await app.close();
      await bare.close();
    }
  } finally {
    await closeBenchCore(core, args.keep);
  }
}

await main();
