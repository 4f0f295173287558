// `npm run bench -- backup [rows]`: backs up 1M customers from MariaDB (gzip'd JSONL, encrypted),
// and in the same run dumps the same table with mysqldump (two alternating rounds after the server
// has settled; best of each). The backup runs in its own process so
// its peak RSS is its own.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import mysql from 'mysql2/promise';
import { loadConfig } from '../core/config.js';
import { openCore, prepareDatabase } from '../core/boot.js';
import { jobActor } from '../core/context.js';
import { takeBackup } from '../core/data/backup/backup.js';
import { createLogger } from '../core/logger.js';
import { limitHeapGrowth } from '../core/heap.js';
import { settleServer } from './_shared.js';

const BASE = process.env.BENCH_DATABASE_URL ?? 'mysql://root@127.0.0.1:3306/steward_bench_data';
const url = new URL(BASE);
const DB = url.pathname.slice(1);
// Fixed keys: the seeding process and the backup process must open the same encrypted database.
const KEY = Buffer.alloc(32, 1).toString('base64');

function conn(database?: string) {
  return mysql.createConnection({
    host: url.hostname,
    port: Number(url.port || 3306),
    user: decodeURIComponent(url.username || 'root'),
    password: decodeURIComponent(url.password),
    database,
    multipleStatements: true,
  });
}

function benchCore(outDir: string) {
  const config = loadConfig({
    NODE_ENV: 'test',
    DATABASE_URL: BASE,
    LOG_LEVEL: 'silent',
    DATA_DIR: outDir,
    BACKUP_DIR: outDir,
    STEWARD_DEMO: 'false',
    STEWARD_DATA_KEY: Buffer.alloc(32, 2).toString('base64'),
    STEWARD_INDEX_KEY: Buffer.alloc(32, 3).toString('base64'),
    SESSION_SECRET: 'b'.repeat(64),
    STEWARD_BACKUP_KEY: KEY,
  });
  return openCore(config, createLogger('silent'));
}

/** 1M customers generated inside MariaDB (the SEQUENCE engine), with realistic column sizes. */
async function seed(n: number): Promise<void> {
  const c = await conn();
  await c.query(
    `DROP DATABASE IF EXISTS \`${DB}\`; CREATE DATABASE \`${DB}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`,
  );
  await c.end();
  const core = benchCore(fs.mkdtempSync(path.join(os.tmpdir(), 'bench-seed-')));
  await prepareDatabase(core);
  await core.models.sequelize.close();
  const d = await conn(DB);
  for (let from = 1; from <= n; from += 100_000) {
    const to = Math.min(from + 99_999, n);
    await d.query(`INSERT INTO customers (code, name, name_norm, contact, phone_enc, phone_hash, address_enc, category, status, note, version, created_at, updated_at)
      SELECT CONCAT('B', LPAD(seq, 8, '0')), CONCAT('基准客户', seq, '贸易有限公司'), CONCAT('基准客户', seq, '贸易'), CONCAT('联系人', seq % 997),
        CONCAT('v1:', TO_BASE64(UNHEX(SHA2(seq, 256))), 'AAAA'), SHA2(CONCAT('p', seq), 256), CONCAT('v1:', TO_BASE64(UNHEX(SHA2(CONCAT('a', seq), 512)))),
        ELT(1 + seq % 6, '经销商', '批发商', '零售商', '终端客户', '电商', '其他'), IF(seq % 10 = 0, 'inactive', 'active'), CONCAT('基准备注 ', seq), 1, NOW(), NOW()
      FROM seq_${from}_to_${to}`);
  }
  await d.end();
}

async function child(outDir: string): Promise<void> {
  // As `steward` itself runs (cli/main.ts).
  limitHeapGrowth();
  const core = benchCore(outDir);
  await prepareDatabase(core);
  const t0 = process.hrtime.bigint();
  const r = await takeBackup(core, jobActor('bench'), { outDir });
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  await core.models.sequelize.close();
  process.stdout.write(
    `${JSON.stringify({ seconds, rows: r.rows.customers, total: r.totalRows, bytes: r.bytes, rssMb: Math.round(process.resourceUsage().maxRSS / 1024) })}\n`,
  );
}

type Ours = { seconds: number; rows: number; total: number; bytes: number; rssMb: number };

function ourBackup(out: string, n: number): Ours {
  const r = spawnSync(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), '--child', out], {
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error(r.stderr);
  const ours = JSON.parse(r.stdout.trim().split('\n').pop()!) as Ours;
  if (ours.rows !== n) throw new Error(`backup wrote ${ours.rows} customers of ${n}`);
  return ours;
}

function mysqldump(dumpFile: string): number {
  const t = Date.now();
  const fd = fs.openSync(dumpFile, 'w');
  const dump = spawnSync(
    'mysqldump',
    [
      '-h',
      url.hostname,
      '-P',
      url.port || '3306',
      '-u',
      decodeURIComponent(url.username || 'root'),
      ...(url.password ? [`-p${decodeURIComponent(url.password)}`] : []),
      '--single-transaction',
      '--quick',
      DB,
      'customers',
    ],
    { stdio: ['ignore', fd, 'pipe'] },
  );
  fs.closeSync(fd);
  if (dump.status !== 0) throw new Error(`mysqldump failed: ${dump.stderr}`);
  return (Date.now() - t) / 1000;
}

/** Two rounds, each side alternating, after the server has settled; the best of each is compared. */
async function main(): Promise<void> {
  const n = Number(process.argv[2] ?? 1_000_000);
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-backup-'));
  console.log(`生成 ${n} 个客户 … (seeding)`);
  const t = Date.now();
  await seed(n);
  await settleServer(BASE);
  console.log(`  ${((Date.now() - t) / 1000).toFixed(1)} s`);
  const dumpFile = path.join(out, 'customers.sql');
  const runs: { ours: Ours; dump: number }[] = [];
  for (let round = 0; round < 2; round++) {
    const dump = mysqldump(dumpFile);
    const ours = ourBackup(path.join(out, `r${round}`), n);
    runs.push({ ours, dump });
    console.log(`  第 ${round + 1} 轮 (round): backup ${ours.seconds.toFixed(2)} s, mysqldump ${dump.toFixed(2)} s`);
  }
  const ours = runs.map((r) => r.ours).sort((a, b) => a.seconds - b.seconds)[0]!;
  const dumpSeconds = Math.min(...runs.map((r) => r.dump));
  const oursRate = ours.rows / ours.seconds;
  const dumpRate = n / dumpSeconds;
  console.log(`数据库 (database): ${BASE.replace(/:[^:@/]*@/, ':***@')}`);
  console.log(
    `steward backup (gzip JSONL, AES-256-GCM, all tables ${ours.total} rows): ${ours.seconds.toFixed(2)} s, ${Math.round(oursRate)} 客户行/秒, ${(ours.bytes / 1e6).toFixed(0)} MB, 峰值 RSS ${Math.max(...runs.map((r) => r.ours.rssMb))} MB`,
  );
  console.log(
    `mysqldump --single-transaction --quick customers: ${dumpSeconds.toFixed(2)} s, ${Math.round(dumpRate)} 行/秒, ${(fs.statSync(dumpFile).size / 1e6).toFixed(0)} MB (未压缩 uncompressed)`,
  );
  console.log(
    `机器负载 (load average): ${os
      .loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')} on ${os.cpus().length} CPUs`,
  );
  console.log(
    `比值 (mysqldump ÷ backup, 各取两轮中较快的一次 best of two each): ${(dumpRate / oursRate).toFixed(2)}×   目标 (goal): ≥ 50000 行/秒, ≤ 2×, RSS < 300 MB`,
  );
  fs.rmSync(out, { recursive: true, force: true });
}

const at = process.argv.indexOf('--child');
if (at > 0) await child(process.argv[at + 1]!);
else await main();
