// npm run bench -- api-transactable [--seconds 10] [--connections 64] [--rounds 2]
// GET /api/v1/customers/{code}/transactable (the check an ERP calls before saving an order) on the
// real server (`steward serve`, MariaDB, demo data, some customers 停用), and in the same run the
// floor: bare Koa plus one raw mysql2 SELECT by code. Both servers run in their own process.
import { spawnSync, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';
import { BENCH_URL, freshMysqlDatabase, fmt, numberArgs, settleServer, startServer } from './_shared.js';

const args = numberArgs({ seconds: 10, connections: 64, rounds: 2 });
const bin = path.resolve('cli/bin.mjs');

/** Runs a steward CLI command against the bench database; its stdout. */
function steward(env: NodeJS.ProcessEnv, ...argv: string[]): string {
  const r = spawnSync(process.execPath, [bin, ...argv], { env, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`steward ${argv.join(' ')} failed: ${r.stderr}`);
  return r.stdout;
}

async function load(url: string, paths: string[], headers: Record<string, string>): Promise<autocannon.Result> {
  let n = 0;
  return autocannon({
    url,
    connections: args.connections,
    duration: args.seconds,
    headers,
    requests: [{ setupRequest: (req) => ({ ...req, method: 'GET', path: paths[n++ % paths.length]! }) }],
  });
}

/** The server's environment: a fresh database with the demo data, no jobs, no rate limit in the way. */
function serverEnv(url: string, port: number): NodeJS.ProcessEnv {
  const key = () => crypto.randomBytes(32).toString('base64');
  return {
    ...process.env,
    DATABASE_URL: url,
    DATA_DIR: fs.mkdtempSync(path.join(os.tmpdir(), 'steward-bench-api-')),
    PORT: String(port),
    HOST: '127.0.0.1',
    JOBS_ENABLED: 'false',
    STEWARD_DEMO: 'true',
    LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'info',
    API_RATE_LIMIT_PER_MINUTE: '1000000',
    STEWARD_DATA_KEY: key(),
    STEWARD_INDEX_KEY: key(),
    SESSION_SECRET: crypto.randomBytes(32).toString('hex'),
    ADMIN_PASSWORD: 'bench-admin-1',
  };
}

/** A new API token through the CLI, as an admin would make it. */
function createToken(env: NodeJS.ProcessEnv, name: string, scope: string): string {
  const out = steward(env, 'api-token', 'create', '--name', name, '--scopes', scope, '--json');
  return (JSON.parse(out) as { token: string }).token;
}

/**
 * Every fifth demo customer 停用 through the API, so the bench sees both answers (200, and 409
 * with its message); checks that the fifth now answers 409. Returns the paths to request.
 */
async function prepareCustomers(env: NodeJS.ProcessEnv, port: number, token: string): Promise<string[]> {
  const codes = Array.from({ length: 50 }, (_, i) => `C2026${String(i + 1).padStart(4, '0')}`);
  const writer = createToken(env, 'bench-writer', 'customers:write');
  for (const code of codes.filter((_, i) => i % 5 === 4)) {
    await fetch(`http://127.0.0.1:${port}/api/v1/customers/${code}/deactivate`, {
      method: 'POST',
      headers: { authorization: `Bearer ${writer}`, 'content-type': 'application/json' },
      body: JSON.stringify({ reason: '信用风险' }),
    });
  }
  const check = await fetch(`http://127.0.0.1:${port}/api/v1/customers/${codes[4]}/transactable`, {
    headers: { authorization: `Bearer ${token}` },
  });
  if (check.status !== 409)
    throw new Error(`set-up failed: ${codes[4]} should be 停用, got ${check.status} ${await check.text()}`);
  return codes.map((c) => `/api/v1/customers/${c}/transactable`);
}

/** Warms up both servers, then alternates rounds (single runs vary ±15 % here). */
async function rounds(port: number, paths: string[], headers: Record<string, string>) {
  await autocannon({
    url: `http://127.0.0.1:${port}`,
    connections: 8,
    amount: 2000,
    headers,
    requests: [{ method: 'GET', path: paths[0] }],
  });
  await autocannon({
    url: `http://127.0.0.1:${port + 100}`,
    connections: 8,
    amount: 2000,
    requests: [{ method: 'GET', path: '/q' }],
  });
  const ours: autocannon.Result[] = [];
  const floors: autocannon.Result[] = [];
  for (let r = 0; r < args.rounds; r++) {
    ours.push(await load(`http://127.0.0.1:${port}`, paths, headers));
    floors.push(await load(`http://127.0.0.1:${port + 100}`, ['/q'], {}));
  }
  return { ours, floors };
}

/** Each round, then the best of each against the goal (≥ 50 % of the floor, p99 < 20 ms). */
function report(ours: autocannon.Result[], floors: autocannon.Result[]): void {
  const best = (rs: autocannon.Result[]) => rs.reduce((a, b) => (b.requests.average > a.requests.average ? b : a));
  const api = best(ours);
  const base = best(floors);
  const ratio = api.requests.average / base.requests.average;
  const met = ratio >= 0.5 && api.latency.p99 < 20;
  console.log(
    `\napi-transactable bench (MariaDB, ${args.connections} connections, ${args.seconds} s per round, best of ${args.rounds})`,
  );
  ours.forEach((o, i) =>
    console.log(
      `  round ${i + 1}: transactable ${fmt(o.requests.average)} req/s p99 ${o.latency.p99} ms (errors ${o.errors}, 2xx ${o['2xx']}, non-2xx ${o.non2xx}); floor ${fmt(floors[i]!.requests.average)} req/s p99 ${floors[i]!.latency.p99} ms`,
    ),
  );
  console.log(
    `  GET /api/v1/customers/{code}/transactable: ${fmt(api.requests.average)} req/s, p99 ${api.latency.p99} ms, median ${api.latency.p50} ms`,
  );
  console.log(
    `  Koa + 1 raw SELECT (floor):               ${fmt(base.requests.average)} req/s, p99 ${base.latency.p99} ms`,
  );
  console.log(
    `  ratio: ${(ratio * 100).toFixed(1)}% of the floor (goal ≥ 50%), p99 ${api.latency.p99} ms (goal < 20 ms): goal ${met ? 'met' : 'NOT met'}`,
  );
  if (base.latency.p99 >= 20)
    console.log(
      `  note: the floor itself has p99 ${base.latency.p99} ms at ${args.connections} connections here, so no implementation can reach p99 < 20 ms on this machine at this load.`,
    );
}

async function main(): Promise<void> {
  const url = await freshMysqlDatabase(BENCH_URL.replace(/\/[^/?]*(\?|$)/, '/steward_bench_api$1'));
  const port = 3950 + Math.floor(Math.random() * 40);
  const env = serverEnv(url, port);
  const server = await startServer([bin, 'serve'], env, /已启动/);
  let floor: ChildProcess | null = null;
  try {
    const token = createToken(env, 'bench', 'customers:read');
    const paths = await prepareCustomers(env, port, token);
    floor = await startServer(
      ['--import', 'tsx', path.resolve('bench/_query-server.ts')],
      { PORT: String(port + 100), DATABASE_URL: url },
      /listening/,
    );
    await settleServer(url);
    const { ours, floors } = await rounds(port, paths, { authorization: `Bearer ${token}` });
    report(ours, floors);
  } finally {
    server.kill('SIGTERM');
    floor?.kill('SIGTERM');
  }
}

await main();
