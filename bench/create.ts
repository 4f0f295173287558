// `npm run bench -- create [--creates 2000] [--concurrency 8] [--keep]`
// Creates per second through createCustomer (automatic code, duplicate check, encryption,
// audit event, one transaction each) on MariaDB and SQLite, against a raw single-row INSERT
// loop at the same concurrency on the same database as the baseline.
import { performance } from 'node:perf_hooks';
import type { Core } from '../core/context.js';
import { createCustomer } from '../core/customers/create.js';
import {
  BENCH_URL,
  benchActor,
  closeBenchCore,
  fmt,
  freshMysqlDatabase,
  freshSqliteUrl,
  openBenchCore,
  pool,
} from './_shared.js';
import { numberArgs } from './_shared.js';

const args = numberArgs({ creates: 2000, concurrency: 8 });

interface Figures {
  perSecond: number;
  baselinePerSecond: number;
  distinctCodes: number;
}

async function rate(total: number, task: (i: number) => Promise<unknown>): Promise<number> {
  const start = performance.now();
  await pool(total, args.concurrency, task);
  return total / ((performance.now() - start) / 1000);
}

async function measure(core: Core): Promise<Figures> {
  const actor = await benchActor(core, '基准销售', ['sales']);
  // Warm up both paths (connections, JIT, the sequence row) before timing.
  await pool(50, args.concurrency, (i) => createCustomer(core, actor, { name: `预热客户${i}` }));
  const { sequelize } = core.models;
  const insert = (i: number) =>
    sequelize.query(
      'INSERT INTO customers (code, name, name_norm, status, version, created_at, updated_at) VALUES (?, ?, ?, ?, 1, ?, ?)',
      {
        replacements: [
          `RAW${String(i).padStart(7, '0')}`,
          `裸插入客户${i}`,
          `裸插入客户${i}`,
          'active',
          new Date(),
          new Date(),
        ],
      },
    );
  const baselinePerSecond = await rate(args.creates, insert);
  const perSecond = await rate(args.creates, (i) =>
    createCustomer(core, actor, {
      name: `基准新建客户${i}有限公司`,
      phone: `139${String(i).padStart(8, '0')}`,
      contact: '张三',
    }),
  );
  const [[row]] = (await sequelize.query(
    "SELECT COUNT(DISTINCT code) AS n FROM customers WHERE name LIKE '基准新建客户%'",
  )) as unknown as [{ n: number | string }[]];
  return { perSecond, baselinePerSecond, distinctCodes: Number(row!.n) };
}

function report(label: string, f: Figures): void {
  console.log(`${label}:`);
  console.log(
    `  createCustomer (自动编码)   ${fmt(f.perSecond)} 个/秒   (${fmt(f.distinctCodes)} 个不同编码, 共 ${fmt(args.creates)} 次新建)`,
  );
  console.log(`  baseline 单行 INSERT         ${fmt(f.baselinePerSecond)} 行/秒`);
  console.log(
    `  ratio: createCustomer = ${fmt((f.perSecond / f.baselinePerSecond) * 100, 1)} % of baseline (${fmt(f.baselinePerSecond / f.perSecond, 1)} × slower)`,
  );
}

async function main(): Promise<void> {
  console.log(`create 基准: ${fmt(args.creates)} 次新建, 并发 ${args.concurrency}`);
  for (const [label, url] of [
    [`MariaDB ${BENCH_URL.replace(/\/\/[^@]*@/, '//')}`, () => freshMysqlDatabase()],
    ['SQLite (临时文件, WAL)', async () => freshSqliteUrl()],
  ] as const) {
    const core = await openBenchCore(await url());
    try {
      const figures = await measure(core);
      if (figures.distinctCodes !== args.creates)
        throw new Error(`编码重复: ${figures.distinctCodes} / ${args.creates}`);
      report(label, figures);
    } finally {
      await closeBenchCore(core, args.keep);
    }
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
