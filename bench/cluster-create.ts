// `npm run bench -- cluster-create [--creates 600] [--concurrency 12] [--keep]`
// Creates per second and reply p99 through createCustomer on a three-node MariaDB Galera cluster on
// loopback (test/cluster/galera.sh; needs root, galera-4, rsync): the same load spread over three
// instances, one per node, against all of it through one instance on one node of the same cluster,
// in the same run (two alternating rounds, best of each). Goal: ≥ 70 % of the one-node rate, 0 failures.
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import mysql from 'mysql2/promise';
import type { Actor, Core } from '../core/context.js';
import { createCustomer } from '../core/customers/create.js';
import { benchActor, fmt, numberArgs, openBenchCore, pool, quantile } from './_shared.js';

const args = numberArgs({ creates: 600, concurrency: 12 });
const script = path.resolve('test/cluster/galera.sh');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'steward-bench-galera-'));
const galera = (...a: string[]) =>
  execFileSync(script, a, {
    env: { ...process.env, GALERA_DIR: dir },
    stdio: ['ignore', 'ignore', 'inherit'],
    timeout: 180_000,
  });

interface Round {
  perSecond: number;
  p99: number;
  failures: number;
}

let firstFailure: unknown = null;

async function round(label: string, cores: Core[], actor: Actor, tag: string, offset: number): Promise<Round> {
  const ms: number[] = [];
  let failures = 0;
  const start = performance.now();
  await pool(args.creates, args.concurrency, async (i) => {
    const t0 = performance.now();
    try {
      await createCustomer(cores[i % cores.length]!, actor, {
        name: `集群基准${tag}客户${i}有限公司`,
        phone: `138${String(offset + i).padStart(8, '0')}`,
        contact: '李四',
      });
    } catch (err) {
      failures++;
      firstFailure ??= err;
    }
    ms.push(performance.now() - t0);
  });
  const r = { perSecond: args.creates / ((performance.now() - start) / 1000), p99: quantile(ms, 0.99), failures };
  console.log(`  ${label}: ${fmt(r.perSecond, 1)} 个/秒, p99 ${fmt(r.p99)} ms, 失败 ${r.failures}`);
  return r;
}

async function main(): Promise<void> {
  console.log(
    `cluster-create 基准: 三节点 Galera (回环), 每轮 ${fmt(args.creates)} 次新建, 总并发 ${args.concurrency}`,
  );
  galera('start');
  const cores: Core[] = [];
  try {
    const admin = await mysql.createConnection({ host: '127.0.0.1', port: 23301, user: 'root' });
    await admin.query('CREATE DATABASE IF NOT EXISTS steward_bench CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci');
    await admin.end();
    const key = () => crypto.randomBytes(32).toString('base64');
    // One deployment: shared keys, code numbers by the block as .env.example advises for a cluster.
    const env = { STEWARD_DATA_KEY: key(), STEWARD_INDEX_KEY: key(), STEWARD_AUDIT_KEY: key(), CODE_BLOCK_SIZE: '20' };
    for (const n of [1, 2, 3]) cores.push(await openBenchCore(`mysql://root@127.0.0.1:2330${n}/steward_bench`, env));
    const actor = await benchActor(cores[0]!, '集群基准销售', ['sales']);
    // Warm-up: connections, JIT, each instance's first code block.
    await pool(60, args.concurrency, (i) => createCustomer(cores[i % 3]!, actor, { name: `集群预热客户${i}有限公司` }));
    const one: Round[] = [];
    const three: Round[] = [];
    for (const r of [1, 2]) {
      one.push(await round(`第 ${r} 轮 一个节点 (一个实例)`, [cores[0]!], actor, `A${r}`, (r * 2 - 2) * args.creates));
      three.push(await round(`第 ${r} 轮 三个节点 (三个实例)`, cores, actor, `B${r}`, (r * 2 - 1) * args.creates));
    }
    if (firstFailure) console.log(`第一个失败: ${(firstFailure as Error).message}`);
    const best = (rs: Round[]) => rs.reduce((a, b) => (b.perSecond > a.perSecond ? b : a));
    const [o, t] = [best(one), best(three)];
    const failures = [...one, ...three].reduce((n, r) => n + r.failures, 0);
    const [[row]] = (await cores[0]!.models.sequelize.query(
      "SELECT COUNT(*) AS n, COUNT(DISTINCT code) AS d FROM customers WHERE name LIKE '集群基准%'",
    )) as unknown as [{ n: number | string; d: number | string }[]];
    console.log(
      `一个节点: ${fmt(o.perSecond, 1)} 个/秒 (p99 ${fmt(o.p99)} ms); 三个节点: ${fmt(t.perSecond, 1)} 个/秒 (p99 ${fmt(t.p99)} ms)`,
    );
    console.log(
      `ratio: 三个节点 = ${fmt((t.perSecond / o.perSecond) * 100, 1)} % of 一个节点 (目标 ≥ 70 %); 失败 ${failures} (目标 0); ${fmt(Number(row!.d))} 个不同编码 / ${fmt(Number(row!.n))} 次新建`,
    );
  } finally {
    for (const c of cores) await c.models.sequelize.close().catch(() => undefined);
    if (!args.keep) galera('stop');
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
