// `npm run bench -- import [rows]`: generates an XLSX of 100k customers, imports it into MariaDB
// with full validation (commit, all or nothing), and in the same run inserts the same rows with a
// raw multi-row INSERT: two alternating rounds on fresh databases, best of each. Each phase runs
// in its own process so its peak RSS is its own; both are timed the same way: the database is
// migrated before the clock starts, and the clock stops when the transaction has committed.
// Then the same rows as old Excel (.xls) files shaped like jshERP's customer export (tip row,
// header on row 2, 名称*/手机号码/状态* 1/0, numeric phones): a BIFF8 sheet holds at most 65,536
// rows, so 100k rows are two files of 50k, imported one after the other in one process.
import { spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import mysql from 'mysql2/promise';
import { loadConfig } from '../core/config.js';
import { openCore, prepareDatabase } from '../core/boot.js';
import { jobActor } from '../core/context.js';
import { storedFields } from '../core/customers/create.js';
import { importCustomers } from '../core/data/import.js';
import { IMPORT_CHUNK } from '../core/data/sql.js';
import { createLogger } from '../core/logger.js';
import { normalizeName } from '../core/text.js';
import { limitHeapGrowth } from '../core/heap.js';
import { settleServer } from './_shared.js';
import { generate, generateXls, row } from './_import-files.js';

const BASE = process.env.BENCH_DATABASE_URL ?? 'mysql://root@127.0.0.1:3306/steward_bench_data';
const load = () =>
  os
    .loadavg()
    .map((l) => l.toFixed(1))
    .join(' ');

function conn(url: string) {
  const u = new URL(url);
  return mysql.createConnection({
    host: u.hostname,
    port: Number(u.port || 3306),
    user: decodeURIComponent(u.username || 'root'),
    password: decodeURIComponent(u.password),
    database: u.pathname.slice(1) || undefined,
    multipleStatements: true,
  });
}

async function resetDatabase(): Promise<void> {
  const u = new URL(BASE);
  const db = u.pathname.slice(1);
  u.pathname = '/';
  const c = await conn(u.toString());
  await c.query(
    `DROP DATABASE IF EXISTS \`${db}\`; CREATE DATABASE \`${db}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`,
  );
  await c.end();
}

/** The server settings that bound both figures (read only; the bench never changes them). */
async function serverFacts(): Promise<string> {
  const c = await conn(BASE);
  const [rows] = await c.query(
    'SELECT VERSION() AS v, @@innodb_buffer_pool_size AS bp, @@innodb_log_file_size AS log, @@innodb_flush_log_at_trx_commit AS flush',
  );
  await c.end();
  const r = (rows as { v: string; bp: number; log: number; flush: number }[])[0]!;
  return `MariaDB ${r.v}, innodb_buffer_pool_size ${Math.round(r.bp / 2 ** 20)} MB, innodb_log_file_size ${Math.round(r.log / 2 ** 20)} MB, flush_log_at_trx_commit ${r.flush}`;
}

function benchCore() {
  const key = () => crypto.randomBytes(32).toString('base64');
  const config = loadConfig({
    NODE_ENV: 'test',
    DATABASE_URL: BASE,
    LOG_LEVEL: 'silent',
    DATA_DIR: fs.mkdtempSync(path.join(os.tmpdir(), 'bench-')),
    STEWARD_DEMO: 'false',
    STEWARD_DATA_KEY: key(),
    STEWARD_INDEX_KEY: key(),
    SESSION_SECRET: key(),
  });
  return openCore(config, createLogger('silent'));
}

/** The .xls files imported one after the other, timed from the first call to the last commit. */
async function xlsImport(files: string[]): Promise<{ seconds: number; rows: number }> {
  const core = benchCore();
  await prepareDatabase(core);
  let rows = 0;
  const t0 = process.hrtime.bigint();
  for (const file of files) {
    const report = await importCustomers(core, jobActor('bench'), file, { commit: true });
    if (!report.committed || report.errors.length)
      throw new Error(`xls import failed: ${JSON.stringify(report.errors.slice(0, 3))}`);
    rows += report.created;
  }
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  await core.models.sequelize.close();
  return { seconds, rows };
}

/**
 * The baseline: the same customer rows as the import stores them (encrypted phone and address,
 * blind index, normalised name), prepared before the clock starts, then IMPORT_CHUNK-row INSERTs
 * (the import's batch size) into the same migrated table, with the same indexes, in one
 * transaction. The difference is what reading, validating, encrypting and bookkeeping cost.
 */
async function rawInsert(n: number): Promise<number> {
  const core = benchCore();
  await prepareDatabase(core);
  await core.models.sequelize.close();
  const now = new Date();
  const rows = Array.from({ length: n }, (_v, j) => {
    const r = row(j);
    const f = storedFields(core, {
      name: String(r[1]),
      contact: String(r[2]),
      phone: String(r[3]),
      address: String(r[4]),
      category: String(r[5]),
      note: String(r[8]),
    });
    return [
      `R${j}`,
      f.name,
      normalizeName(String(r[1])),
      f.contact,
      f.phoneEnc,
      f.phoneHash,
      f.addressEnc,
      f.category,
      r[7] === '停用' ? 'inactive' : 'active',
      f.note,
      1,
      now,
      now,
    ];
  });
  const c = await conn(BASE);
  const t0 = process.hrtime.bigint();
  await c.beginTransaction();
  for (let i = 0; i < n; i += IMPORT_CHUNK) {
    await c.query(
      'INSERT INTO customers (code, name, name_norm, contact, phone_enc, phone_hash, address_enc, category, status, note, version, created_at, updated_at) VALUES ?',
      [rows.slice(i, i + IMPORT_CHUNK)],
    );
  }
  await c.commit();
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  await c.end();
  return seconds;
}

/** The full import, timed from the call to the commit (the database is migrated before). */
async function fullImport(file: string): Promise<{ seconds: number; rows: number }> {
  const core = benchCore();
  await prepareDatabase(core);
  const t0 = process.hrtime.bigint();
  const report = await importCustomers(core, jobActor('bench'), file, { commit: true });
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  await core.models.sequelize.close();
  if (!report.committed || report.errors.length)
    throw new Error(`import failed: ${JSON.stringify(report.errors.slice(0, 3))}`);
  return { seconds, rows: report.created };
}

interface PhaseResult {
  seconds: number;
  rows: number;
  rssMb: number;
  load: string;
}

/** Runs one phase in a child process; returns its own timing and peak RSS. */
function phase(name: string, ...args: string[]): PhaseResult {
  const here = fileURLToPath(import.meta.url);
  const r = spawnSync(process.execPath, ['--import', 'tsx', here, '--phase', name, ...args], {
    encoding: 'utf8',
    maxBuffer: 1 << 24,
  });
  if (r.status !== 0) throw new Error(`phase ${name} failed:\n${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').pop()!) as PhaseResult;
}

async function child(name: string, args: string[]): Promise<void> {
  // As `steward` itself runs (cli/main.ts).
  limitHeapGrowth();
  const before = load();
  let result = { seconds: 0, rows: 0 };
  if (name === 'gen') {
    const t0 = process.hrtime.bigint();
    await generate(args[0]!, Number(args[1]));
    result = { seconds: Number(process.hrtime.bigint() - t0) / 1e9, rows: Number(args[1]) };
  } else if (name === 'gen-xls') {
    const t0 = process.hrtime.bigint();
    generateXls(args[0]!, Number(args[1]), Number(args[2]));
    result = { seconds: Number(process.hrtime.bigint() - t0) / 1e9, rows: Number(args[2]) };
  } else if (name === 'raw') result = { seconds: await rawInsert(Number(args[0])), rows: Number(args[0]) };
  else if (name === 'import') result = await fullImport(args[0]!);
  else if (name === 'import-xls') result = await xlsImport(args);
  process.stdout.write(
    `${JSON.stringify({ ...result, rssMb: Math.round(process.resourceUsage().maxRSS / 1024), load: before })}\n`,
  );
}

async function main(): Promise<void> {
  const n = Number(process.argv[2] ?? 100_000);
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'bench-import-')), 'customers.xlsx');
  console.log(`生成 ${n} 行 XLSX … (generating)`);
  const gen = phase('gen', file, String(n));
  console.log(`  ${file}: ${(fs.statSync(file).size / 1e6).toFixed(1)} MB, ${gen.seconds.toFixed(1)} s`);
  await resetDatabase();
  console.log(`数据库 (database): ${BASE.replace(/:[^:@/]*@/, ':***@')}; ${await serverFacts()}`);
  // Two alternating rounds, each on a fresh database after the server has settled; best of each.
  const raws: PhaseResult[] = [];
  const imps: PhaseResult[] = [];
  for (let round = 0; round < 2; round++) {
    for (const [name, out, args] of [
      ['raw', raws, [String(n)]],
      ['import', imps, [file]],
    ] as const) {
      await resetDatabase();
      await settleServer(BASE);
      out.push(phase(name, ...args));
    }
    console.log(
      `  第 ${round + 1} 轮 (round): raw ${raws[round]!.seconds.toFixed(2)} s, import ${imps[round]!.seconds.toFixed(2)} s`,
    );
  }
  const best = (runs: PhaseResult[]) => ({
    ...runs.slice().sort((a, b) => a.seconds - b.seconds)[0]!,
    rssMb: Math.max(...runs.map((r) => r.rssMb)),
  });
  const raw = best(raws);
  const imp = best(imps);
  const rawRate = raw.rows / raw.seconds;
  const impRate = imp.rows / imp.seconds;
  console.log(
    `原始多行 INSERT (raw multi-row INSERT, ${IMPORT_CHUNK} 行/条): ${raw.rows} 行, ${raw.seconds.toFixed(2)} s, ${Math.round(rawRate)} 行/秒, 峰值 RSS ${raw.rssMb} MB (负载 load ${raw.load})`,
  );
  console.log(
    `完整导入 (full import, xlsx → validated → committed): ${imp.rows} 行, ${imp.seconds.toFixed(2)} s, ${Math.round(impRate)} 行/秒, 峰值 RSS ${imp.rssMb} MB (负载 load ${imp.load})`,
  );
  console.log(`机器负载 (load average now): ${load()} on ${os.cpus().length} CPUs`);
  console.log(
    `比值 (raw ÷ import, 各取两轮中较快的一次 best of two each): ${(rawRate / impRate).toFixed(2)}×   目标 (goal): ≥ 5000 行/秒, ≤ 2.5×, RSS < 400 MB`,
  );
  await xlsRounds(path.dirname(file), n, raw);
  fs.rmSync(path.dirname(file), { recursive: true, force: true });
}

/** The same rows as jshERP-style .xls files (at most 50k rows each: BIFF8 stops at 65,536), two rounds, best of two. */
async function xlsRounds(dir: string, n: number, raw: PhaseResult): Promise<void> {
  const per = 50_000;
  const files: string[] = [];
  console.log(`生成 ${n} 行 .xls (jshERP 客户导出格式, 每个文件至多 ${per} 行) … (generating)`);
  for (let from = 0; from < n; from += per) {
    const file = path.join(dir, `信息内容-${files.length + 1}.xls`);
    const gen = phase('gen-xls', file, String(from), String(Math.min(per, n - from)));
    console.log(
      `  ${path.basename(file)}: ${(fs.statSync(file).size / 1e6).toFixed(1)} MB, ${gen.seconds.toFixed(1)} s`,
    );
    files.push(file);
  }
  const runs: PhaseResult[] = [];
  for (let round = 0; round < 2; round++) {
    await resetDatabase();
    await settleServer(BASE);
    runs.push(phase('import-xls', ...files));
    console.log(`  第 ${round + 1} 轮 (round): import .xls ${runs[round]!.seconds.toFixed(2)} s`);
  }
  const best = {
    ...runs.slice().sort((a, b) => a.seconds - b.seconds)[0]!,
    rssMb: Math.max(...runs.map((r) => r.rssMb)),
  };
  const rate = best.rows / best.seconds;
  console.log(
    `完整导入 .xls (${files.length} 个文件依次导入, 提示行 + 同义列名 + 数字手机号 + 状态 1/0): ${best.rows} 行, ${best.seconds.toFixed(2)} s, ${Math.round(rate)} 行/秒, 峰值 RSS ${best.rssMb} MB (负载 load ${best.load})`,
  );
  console.log(
    `比值 (raw ÷ import .xls): ${(raw.rows / raw.seconds / rate).toFixed(2)}×   目标 (goal): ≥ 5000 行/秒, ≤ 2.5×, RSS < 400 MB`,
  );
}

const at = process.argv.indexOf('--phase');
if (at > 0) await child(process.argv[at + 1]!, process.argv.slice(at + 2));
else await main();
