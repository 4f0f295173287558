// Helpers shared by the benchmarks: a throw-away MariaDB database, a core on it, and timing figures.
import { spawn, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import mysql from 'mysql2/promise';
import { openCore, prepareDatabase } from '../core/boot.js';
import { loadConfig } from '../core/config.js';
import type { Actor, Core } from '../core/context.js';
import { createLogger } from '../core/logger.js';
import type { Role } from '../models/index.js';

/** BENCH_DATABASE_URL, or the local MariaDB the README assumes. */
export const BENCH_URL = process.env.BENCH_DATABASE_URL ?? 'mysql://root@127.0.0.1:3306/steward_bench';

function serverOptions(url: URL) {
  return {
    host: url.hostname,
    port: Number(url.port || 3306),
    user: decodeURIComponent(url.username || 'root'),
    password: decodeURIComponent(url.password),
    socketPath: url.searchParams.get('socketPath') ?? undefined,
    multipleStatements: false,
  };
}

/** Drops and creates the database BENCH_DATABASE_URL names; returns its URL. */
export async function freshMysqlDatabase(raw = BENCH_URL): Promise<string> {
  const url = new URL(raw);
  const name = decodeURIComponent(url.pathname.replace(/^\//, ''));
  if (!/^[A-Za-z0-9_]+$/.test(name)) throw new Error(`BENCH_DATABASE_URL 的库名只能含字母、数字和下划线: ${name}`);
  const conn = await mysql.createConnection(serverOptions(url));
  try {
    await conn.query(`DROP DATABASE IF EXISTS \`${name}\``);
    await conn.query(`CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
  } finally {
    await conn.end();
  }
  return url.toString();
}

/**
 * Waits (up to a minute) until InnoDB has written out earlier work: dirty pages and purge history
 * of a big insert or a dropped database. Otherwise whichever side of a comparison runs first pays
 * for the server's background flushing.
 */
export async function settleServer(raw = BENCH_URL): Promise<void> {
  const conn = await mysql.createConnection(serverOptions(new URL(raw)));
  try {
    const status = async (name: string) =>
      Number(((await conn.query(`SHOW GLOBAL STATUS LIKE '${name}'`))[0] as { Value: string }[])[0]?.Value ?? 0);
    for (let i = 0; i < 120; i++) {
      if ((await status('Innodb_buffer_pool_pages_dirty')) === 0 && (await status('Innodb_history_list_length')) === 0)
        return;
      await new Promise((r) => setTimeout(r, 500));
    }
  } finally {
    await conn.end();
  }
}

/** A fresh SQLite file in the temp directory. */
export function freshSqliteUrl(): string {
  return `sqlite:${path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'steward-bench-')), 'bench.sqlite')}`;
}

/** A migrated core on `url`, logging nothing, with throw-away keys. */
export async function openBenchCore(url: string, env: Record<string, string> = {}): Promise<Core> {
  const key = () => crypto.randomBytes(32).toString('base64');
  const config = loadConfig({
    NODE_ENV: 'test',
    DATABASE_URL: url,
    LOG_LEVEL: 'silent',
    STEWARD_DEMO: 'false',
    DATA_DIR: fs.mkdtempSync(path.join(os.tmpdir(), 'steward-bench-data-')),
    STEWARD_DATA_KEY: key(),
    STEWARD_INDEX_KEY: key(),
    SESSION_SECRET: crypto.randomBytes(32).toString('hex'),
    ...env,
  });
  const core = openCore(config, createLogger('silent'));
  await prepareDatabase(core);
  return core;
}

/** Closes the core and, for MySQL, drops its database unless `keep`. */
export async function closeBenchCore(core: Core, keep = false): Promise<void> {
  const { sequelize } = core.models;
  if (!keep && sequelize.getDialect() === 'mysql')
    await sequelize.query(`DROP DATABASE IF EXISTS \`${sequelize.getDatabaseName()}\``);
  await sequelize.close();
}

/** An operator stored in the database, as the actor the benchmark acts as. */
export async function benchActor(core: Core, name: string, roles: Role[]): Promise<Actor> {
  const [operator] = await core.models.Operator.findOrCreate({
    where: { displayName: name },
    defaults: { displayName: name, roles: roles.join(','), email: null, passwordHash: null, active: true },
  });
  return { operator, door: 'cli' };
}

/** `--name value` flags as numbers, with defaults; `--keep` style flags as booleans. */
export function numberArgs<T extends Record<string, number>>(
  defaults: T,
  argv = process.argv.slice(2),
): T & { keep: boolean } {
  const out: Record<string, number> = { ...defaults };
  let keep = false;
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i]!;
    if (flag === '--keep') {
      keep = true;
      continue;
    }
    const name = flag.replace(/^--/, '');
    const value = Number(argv[i + 1]);
    if (!flag.startsWith('--') || !(name in defaults) || !Number.isInteger(value) || value <= 0) {
      console.error(
        `参数不对: ${flag} ${argv[i + 1] ?? ''}。可用: ${Object.keys(defaults)
          .map((k) => `--${k} <正整数>`)
          .join(' ')} --keep`,
      );
      process.exit(2);
    }
    out[name] = value;
    i++;
  }
  return { ...(out as T), keep };
}

/** Milliseconds a call takes. */
export async function timed(fn: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  await fn();
  return performance.now() - start;
}

/** The q-quantile (0..1) of a list of numbers. */
export function quantile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  if (!sorted.length) return Number.NaN;
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
}

/** Runs `task(i)` for i in [0, total) with at most `concurrency` in flight. */
export async function pool(total: number, concurrency: number, task: (i: number) => Promise<unknown>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < total) await task(next++);
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, total) }, worker));
}

/** A number with thousands separators. */
export const fmt = (n: number, digits = 0) =>
  n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });

/** Starts a node server for a bench (env added to this process's), resolving once its output matches `ready`. */
export function startServer(cmd: string[], env: NodeJS.ProcessEnv, ready: RegExp): Promise<ChildProcess> {
  return new Promise((resolve, reject) => {
    // BENCH_NODE_FLAGS (e.g. --cpu-prof) goes to the servers, for profiling a run.
    const flags = process.env.BENCH_NODE_FLAGS?.split(' ').filter(Boolean) ?? [];
    const child = spawn(process.execPath, [...flags, ...cmd], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    const onData = (d: Buffer) => {
      out += d.toString();
      if (!ready.test(out)) return;
      // Ready: stop collecting, but keep draining the pipes so the server never blocks on them.
      child.stdout!.off('data', onData);
      child.stdout!.resume();
      out = '';
      resolve(child);
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', (d: Buffer) => (out = (out + d.toString()).slice(-2000)));
    child.on('exit', (code) => reject(new Error(`server exited (${code}): ${out.slice(-500)}`)));
  });
}

/** CPU seconds a process has used (Linux /proc), or null where that cannot be read. */
export function cpuSeconds(pid: number | undefined): number | null {
  try {
    const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return null;
  }
}

/** Busy CPU seconds of the whole machine, all cores (Linux /proc/stat; null elsewhere). */
export function machineBusy(): number | null {
  try {
    const [, ...f] = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/);
    const n = f.map(Number);
    return (n.reduce((a, b) => a + b, 0) - n[3]! - n[4]!) / 100;
  } catch {
    return null;
  }
}

/** MariaDB's own pid, when it runs on this machine (its CPU per request is part of the story). */
export function mariadbPid(): number | undefined {
  for (const f of ['/run/mysqld/mysqld.pid', '/var/run/mysqld/mysqld.pid']) {
    try {
      return Number(fs.readFileSync(f, 'utf8').trim());
    } catch {
      // not there
    }
  }
  return undefined;
}
