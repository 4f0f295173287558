// npm run bench -- channel-socket [--messages 2000] [--window 32] [--rounds 2] [--sqlite 1]
// Messages per second through each vendor's long connection (DingTalk Stream, WeCom AI bot,
// Feishu), against loopback fakes that speak the vendor's frame protocol (test/helpers/fakes):
// `客户 <编码>` lookups from a demo operator, at most `window` in flight, timed until each answer
// reached the fake (DingTalk: the sessionWebhook POST; WeCom: aibot_respond_msg; Feishu: the
// im.message.reply call). Baseline in the same run: the same fakes driving each channel's own
// receiver with a trivial pipeline that echoes every message at once (no database, no outbox).
import type { ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import {
  BENCH_URL,
  cpuSeconds,
  fmt,
  freshMysqlDatabase,
  freshSqliteUrl,
  numberArgs,
  quantile,
  settleServer,
  startServer,
} from './_shared.js';
import { VENDORS, type Vendor } from './_socket-fakes.js';

const args = numberArgs({ messages: 2000, window: 32, rounds: 2, sqlite: 0 });
const CODES = Array.from({ length: 50 }, (_, i) => `C2026${String(i + 1).padStart(4, '0')}`);

interface Run {
  rate: number;
  p50: number;
  p99: number;
  late: number;
  /** CPU the client process used per message (µs). */
  cpu: number | null;
}

async function until(check: () => boolean, what: string, ms = 60_000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`等待超时: ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Pushes `total` lookups with at most `window` in flight; resolves when every answer reached the fake. */
function drive(
  v: Vendor,
  total: number,
  window: number,
  check?: (answer: string, code: string) => void,
): Promise<{ ms: number; latencies: number[]; late: number }> {
  return new Promise((resolve, reject) => {
    const latencies: number[] = [];
    let sent = 0;
    let late = 0;
    let last = Date.now();
    const start = performance.now();
    const stall = setInterval(() => {
      if (Date.now() - last > 30_000) {
        clearInterval(stall);
        reject(new Error(`${v.name}: 30 秒没有新的回复 (${latencies.length}/${total})`));
      }
    }, 1000);
    const next = () => {
      if (sent >= total) return;
      const i = sent++;
      const code = CODES[i % CODES.length]!;
      const at = performance.now();
      v.push(i, `客户 ${code}`, (wasLate, answer) => {
        latencies.push(performance.now() - at);
        last = Date.now();
        if (wasLate) late++;
        if (check) check(answer, code);
        if (latencies.length === total) {
          clearInterval(stall);
          resolve({ ms: performance.now() - start, latencies, late });
        } else next();
      });
    };
    for (let k = 0; k < Math.min(window, total); k++) next();
  });
}

async function measure(v: Vendor, client: ChildProcess, check?: (answer: string, code: string) => void): Promise<Run> {
  const before = cpuSeconds(client.pid);
  const r = await drive(v, args.messages, args.window, check);
  const after = cpuSeconds(client.pid);
  return {
    rate: (args.messages / r.ms) * 1000,
    p50: quantile(r.latencies, 0.5),
    p99: quantile(r.latencies, 0.99),
    late: r.late,
    cpu: before === null || after === null ? null : ((after - before) / args.messages) * 1e6,
  };
}

/** The answer is the customer card for the code asked about, with the phone masked for a 销售. */
function checkAnswer(vendor: string) {
  let checked = false;
  return (answer: string, code: string) => {
    if (checked) return;
    checked = true;
    if (!answer.includes(code) || !answer.includes('状态') || !answer.includes('****'))
      throw new Error(`${vendor} 的回复不对: ${answer.slice(0, 300)}`);
  };
}

const line = (r: Run) =>
  `${fmt(r.rate).padStart(6)} msgs/s, p50 ${r.p50.toFixed(1)} ms, p99 ${r.p99.toFixed(1)} ms${r.late ? `, ${r.late} late (处理中 first)` : ''}${r.cpu === null ? '' : `; client CPU ${fmt(r.cpu)} µs/msg`}`;

/** The server's environment: demo data, no jobs, each channel pointed at its fake. */
function serverEnv(url: string, ours: Vendor[]): Record<string, string> {
  const key = () => crypto.randomBytes(32).toString('base64');
  return {
    DATABASE_URL: url,
    DATA_DIR: fs.mkdtempSync(path.join(os.tmpdir(), 'steward-bench-sockets-')),
    PORT: String(3800 + Math.floor(Math.random() * 50)),
    HOST: '127.0.0.1',
    JOBS_ENABLED: 'false',
    STEWARD_DEMO: 'true',
    LOG_LEVEL: 'info',
    STEWARD_DATA_KEY: key(),
    STEWARD_INDEX_KEY: key(),
    SESSION_SECRET: crypto.randomBytes(32).toString('hex'),
    ADMIN_PASSWORD: 'bench-admin-1',
    ...Object.assign({}, ...ours.map((v) => v.env())),
  };
}

type Results = { ours: Run[]; base: Run[] }[];

/** Rounds per vendor, ours and the baseline taking turns to go first. */
async function rounds(ours: Vendor[], base: Vendor[], server: ChildProcess, echo: ChildProcess): Promise<Results> {
  const results: Results = ours.map(() => ({ ours: [], base: [] }));
  for (let round = 0; round < args.rounds; round++) {
    for (let i = 0; i < ours.length; i++) {
      const steps = [
        async () => results[i]!.ours.push(await measure(ours[i]!, server)),
        async () => results[i]!.base.push(await measure(base[i]!, echo)),
      ];
      for (const step of round % 2 ? steps.reverse() : steps) await step();
    }
  }
  return results;
}

/** Each vendor's rounds, and ours as a share of the echo client (best of each). */
function report(ours: Vendor[], results: Results, load1: string): void {
  console.log(
    `\nchannel-socket bench (${args.sqlite ? 'SQLite' : 'MariaDB'}, ${args.messages} 客户 lookups per run, ${args.window} in flight, ${args.rounds} rounds, load average ${load1} → ${os.loadavg()[0]!.toFixed(1)})`,
  );
  for (let i = 0; i < ours.length; i++) {
    const r = results[i]!;
    console.log(`  ${ours[i]!.name}`);
    for (let k = 0; k < args.rounds; k++) {
      console.log(`    round ${k + 1} ours:     ${line(r.ours[k]!)}`);
      console.log(
        `    round ${k + 1} baseline: ${line(r.base[k]!)}  → ours ${((r.ours[k]!.rate / r.base[k]!.rate) * 100).toFixed(1)}%`,
      );
    }
    const best = (rs: Run[]) => rs.reduce((a, b) => (b.rate > a.rate ? b : a));
    console.log(
      `    ratio (best of each): ${((best(r.ours).rate / best(r.base).rate) * 100).toFixed(1)}% of the echo client`,
    );
  }
}

async function main(): Promise<void> {
  const url = args.sqlite
    ? freshSqliteUrl()
    : await freshMysqlDatabase(BENCH_URL.replace(/\/[^/?]*(\?|$)/, '/steward_bench_sockets$1'));
  const ours = await Promise.all(VENDORS.map((make) => make('ours')));
  const base = await Promise.all(VENDORS.map((make) => make('base')));
  const children: ChildProcess[] = [];
  try {
    const server = await startServer([path.resolve('cli/bin.mjs'), 'serve'], serverEnv(url, ours), /已启动/);
    children.push(server);
    const echo = await startServer(
      ['--import', 'tsx', path.resolve('bench/_socket-echo.ts')],
      Object.assign({}, ...base.map((v) => v.env())),
      /echo clients ready/,
    );
    children.push(echo);
    // The server takes each socket's lease first, then connects.
    for (const v of [...ours, ...base]) await until(() => v.connected(), `${v.name} 长连接`);
    // Warm-up (JIT, pools, tokens), then let MariaDB write out the demo seeding.
    for (let i = 0; i < ours.length; i++) {
      await drive(ours[i]!, 300, args.window, checkAnswer(ours[i]!.name));
      await drive(base[i]!, 300, args.window);
    }
    if (!args.sqlite) await settleServer(url);
    const load1 = os.loadavg()[0]!.toFixed(1);
    report(ours, await rounds(ours, base, server, echo), load1);
  } finally {
    for (const c of children) c.kill('SIGTERM');
    await Promise.all([...ours, ...base].map((v) => v.stop()));
  }
}

await main();
