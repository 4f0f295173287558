// `npm run bench -- duplicates [--customers 100000] [--sample 4000] [--keep]`
// Seeds MariaDB (BENCH_DATABASE_URL) with `customers` customers (some sharing a normalised name or
// a phone blind index, some deleted, a few merged into another), then times the 疑似重复 scan
// (findDuplicatePairs: one GROUP BY per signal on its index, lookups by key, alias matches) against
// same-run baselines: the same GROUP BY told to ignore the indexes, and the naive way — every pair
// compared in JS — measured on a sample and extrapolated (n² pairs).
import { performance } from 'node:perf_hooks';
import type { Core } from '../core/context.js';
import { findDuplicatePairs } from '../core/customers/duplicates/scan.js';
import { selectRows } from '../core/data/sql.js';
import {
  BENCH_URL,
  closeBenchCore,
  fmt,
  freshMysqlDatabase,
  numberArgs,
  openBenchCore,
  settleServer,
  timed,
} from './_shared.js';

const args = numberArgs({ customers: 100_000, sample: 4_000 });

/**
 * Every 100th customer has its predecessor's name, every 77th its predecessor's phone; a tenth
 * have no phone, every 50th is deleted; every 1000th (at 500) is merged into the next one, and
 * the one before shares its name, so it matches the survivor through the merge.
 */
async function seed(core: Core): Promise<void> {
  const q = (sql: string) => core.models.sequelize.query(sql);
  const n = args.customers;
  await q(
    `INSERT INTO operators (display_name, roles, active, created_at, updated_at) SELECT CONCAT('销售', seq), 'sales', 1, NOW(), NOW() FROM seq_1_to_5`,
  );
  await q(`INSERT INTO customers (code, name, name_norm, phone_hash, owner_id, status, merged_into, version, created_at, updated_at)
    SELECT CONCAT('D', LPAD(seq, 8, '0')),
      CONCAT('基准客户', IF(seq % 100 = 0, seq - 1, seq), '有限公司'), CONCAT('基准客户', IF(seq % 100 = 0, seq - 1, seq)),
      IF(seq % 10 = 3, NULL, SHA2(CONCAT('p', IF(seq % 77 = 0, seq - 1, seq)), 256)), 1 + seq % 5,
      IF(seq % 50 = 25 OR seq % 1000 = 500, 'deleted', 'active'), IF(seq % 1000 = 500, seq + 1, NULL), 1, NOW(), NOW()
    FROM seq_1_to_${n}`);
  await q(
    `INSERT INTO customer_aliases (code, customer_id, merge_id, created_at) SELECT CONCAT('D', LPAD(seq, 8, '0')), seq + 1, NULL, NOW() FROM seq_1_to_${n} WHERE seq % 1000 = 500`,
  );
  await q('ANALYZE TABLE customers, customer_aliases');
}

interface Key {
  id: number;
  name_norm: string;
  phone_hash: string | null;
  status: string;
}

/** The naive way: compare every pair of a sample in JS. Returns the pairs found. */
function pairwise(rows: Key[]): number {
  let found = 0;
  for (let i = 0; i < rows.length; i++) {
    const a = rows[i]!;
    if (a.status === 'deleted') continue;
    for (let j = i + 1; j < rows.length; j++) {
      const b = rows[j]!;
      if (
        b.status !== 'deleted' &&
        (a.name_norm === b.name_norm || (a.phone_hash !== null && a.phone_hash === b.phone_hash))
      )
        found++;
    }
  }
  return found;
}

/** The scan after a warm-up (buffer pool and statement caches): the last result and three timings. */
async function timedScans(core: Core) {
  await findDuplicatePairs(core);
  const runs: number[] = [];
  let scan = await findDuplicatePairs(core);
  for (let i = 0; i < 3; i++)
    runs.push(
      await timed(async () => {
        scan = await findDuplicatePairs(core);
      }),
    );
  return { scan, runs, ms: Math.min(...runs) };
}

/** Baseline 1: the same grouping with the indexes ignored (a full scan and a sort per signal). */
function unindexedGrouping(core: Core): Promise<number> {
  return timed(async () => {
    for (const column of ['name_norm', 'phone_hash']) {
      await selectRows(
        core.models.sequelize,
        `SELECT ${column} AS k FROM customers IGNORE INDEX (customers_${column}) WHERE ${column} IS NOT NULL GROUP BY ${column} HAVING COUNT(*) > 1`,
        [],
      );
    }
  });
}

/** Baseline 2: every pair compared in JS, on a sample, extrapolated by (n / sample)². */
async function naivePairs(core: Core) {
  const sample = Math.min(args.sample, args.customers);
  let sampleRows: Key[] = [];
  const loadMs = await timed(async () => {
    sampleRows = await selectRows<Key>(
      core.models.sequelize,
      `SELECT id, name_norm, phone_hash, status FROM customers ORDER BY id LIMIT ${sample}`,
      [],
    );
  });
  const t0 = performance.now();
  const samplePairs = pairwise(sampleRows);
  const compareMs = performance.now() - t0;
  const factor = (args.customers / sample) ** 2;
  const naiveMs = compareMs * factor + loadMs * (args.customers / sample);
  return { sample, loadMs, compareMs, samplePairs, naiveMs };
}

async function main(): Promise<void> {
  console.log(`duplicates 基准: MariaDB ${BENCH_URL.replace(/\/\/[^@]*@/, '//')}, ${fmt(args.customers)} 个客户`);
  const core = await openBenchCore(await freshMysqlDatabase());
  const { sequelize } = core.models;
  try {
    console.log(`  seeding ${fmt((await timed(() => seed(core))) / 1000, 1)} s`);
    await settleServer();
    const plan = await selectRows<{ key: string | null; Extra: string }>(
      sequelize,
      'EXPLAIN SELECT name_norm AS k FROM customers FORCE INDEX (customers_name_norm) WHERE name_norm IS NOT NULL GROUP BY name_norm HAVING COUNT(*) > 1',
      [],
    );
    console.log(`  EXPLAIN GROUP BY name_norm: key=${plan[0]?.key}, ${plan[0]?.Extra}`);
    const { scan, runs, ms } = await timedScans(core);
    const by = (s: string) => scan.pairs.filter((p) => p.signals.includes(s as never)).length;

    const unindexed = await unindexedGrouping(core);
    const { sample, loadMs, compareMs, samplePairs, naiveMs } = await naivePairs(core);

    console.log(
      `\nscan (findDuplicatePairs, 全表): ${fmt(ms, 0)} ms (3 次中最快; 各次 ${runs.map((r) => fmt(r, 0)).join(' / ')} ms)   (目标 < 5000 ms: ${ms < 5000 ? '达到' : '未达到'})`,
    );
    console.log(
      `  疑似重复 ${fmt(scan.pairs.length)} 对: 同手机 ${fmt(by('phone'))}, 同名称 ${fmt(by('name'))}, 与已并入的客户相同 ${fmt(by('alias'))}; 过多无法成对 ${scan.crowds.length} 组`,
    );
    console.log(`baseline 1 (同样的 GROUP BY, IGNORE INDEX, 仅分组不取成员): ${fmt(unindexed, 0)} ms`);
    console.log(
      `baseline 2 (两两比较, JS): 样本 ${fmt(sample)} 个客户 ${fmt((sample * (sample - 1)) / 2)} 对用时 ${fmt(compareMs, 0)} ms + 读取 ${fmt(loadMs, 0)} ms, 找到 ${samplePairs} 对; 外推到 ${fmt(args.customers)} 个客户 ≈ ${fmt(naiveMs / 1000, 1)} s`,
    );
    console.log(`ratio: scan = 1/${fmt(naiveMs / ms, 0)} × 两两比较 (外推)`);
  } finally {
    await closeBenchCore(core, args.keep);
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.stack : err);
  process.exit(1);
});
