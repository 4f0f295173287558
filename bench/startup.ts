// `npm run bench -- startup [--runs 5]`
// How fast `steward` and the server start from the build (dist/, rebuilt first): `steward --help`,
// one chat command on the demo database, `npm start` until /healthz answers, and the server's
// RSS once idle. Each is the median of --runs runs after one warm-up; the baseline, measured in
// the same run, is `node -e 0` (starting Node and doing nothing).
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { freePort } from '../test/helpers/ports.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const runsArg = process.argv.indexOf('--runs');
const RUNS = runsArg > 0 ? Number(process.argv[runsArg + 1]) : 5;
const IDLE_MS = 10_000;

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

/** A throw-away data folder with the demo database, seeded by the CLI itself. */
function demoEnv(): NodeJS.ProcessEnv {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'steward-startup-'));
  const env = {
    ...process.env,
    DATA_DIR: dir,
    DATABASE_URL: `sqlite:${path.join(dir, 'steward.sqlite')}`,
    STEWARD_DEMO: 'true',
    LOG_LEVEL: 'warn',
    NODE_ENV: 'development',
  };
  const seeded = spawnSync(process.execPath, [path.join(ROOT, 'cli/bin.mjs'), 'seed', '--demo'], {
    env,
    encoding: 'utf8',
  });
  if (seeded.status !== 0) throw new Error(`seed failed: ${seeded.stderr}`);
  return env;
}

/** Wall time of a command, run to completion (ms). */
function timeCommand(cmd: string, args: string[], env: NodeJS.ProcessEnv): number {
  const t = performance.now();
  const r = spawnSync(cmd, args, { env, cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
  const ms = performance.now() - t;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return ms;
}

function series(label: string, cmd: string, args: string[], env: NodeJS.ProcessEnv): number {
  timeCommand(cmd, args, env);
  const ms = Array.from({ length: RUNS }, () => timeCommand(cmd, args, env));
  console.log(`  ${label.padEnd(40)} ${ms.map((m) => m.toFixed(0)).join(' ')} ms`);
  return median(ms);
}

/** RSS (bytes) of the server: the largest process of the group (npm and its shell are far smaller). */
function serverRss(pgid: number): number {
  let largest = NaN;
  for (const pid of fs.readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(fields[2]) !== pgid) continue;
      const rss = Number(/VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]) * 1024;
      if (!(rss <= largest)) largest = rss;
    } catch {
      // the process ended while we looked
    }
  }
  return largest;
}

/** `npm start` until /healthz answers 200 (ms); with `idle`, also the server's RSS after IDLE_MS. */
async function startServer(env: NodeJS.ProcessEnv, idle: boolean): Promise<{ ms: number; rss: number }> {
  const port = await freePort();
  const t = performance.now();
  // Its own process group, so npm, its shell and the server all stop together.
  const child = spawn('npm', ['start', '--silent'], {
    cwd: ROOT,
    env: { ...env, PORT: String(port), HOST: '127.0.0.1' },
    stdio: 'ignore',
    detached: true,
  });
  try {
    for (;;) {
      if (child.exitCode !== null) throw new Error(`npm start exited ${child.exitCode}`);
      const ok = await fetch(`http://127.0.0.1:${port}/healthz`).then(
        (r) => r.status === 200,
        () => false,
      );
      if (ok) break;
      await new Promise((r) => setTimeout(r, 10));
    }
    const ms = performance.now() - t;
    if (!idle) return { ms, rss: NaN };
    await new Promise((r) => setTimeout(r, IDLE_MS));
    return { ms, rss: serverRss(child.pid!) };
  } finally {
    process.kill(-child.pid!, 'SIGTERM');
    await new Promise((r) => child.once('exit', r));
    await new Promise((r) => setTimeout(r, 300));
  }
}

async function main(): Promise<void> {
  const built = spawnSync(process.execPath, [path.join(ROOT, 'scripts/build.mjs')], { cwd: ROOT, encoding: 'utf8' });
  if (built.status !== 0) throw new Error(`build failed: ${built.stderr}`);
  const env = demoEnv();
  const bin = path.join(ROOT, 'cli/bin.mjs');
  console.log(
    `startup, median of ${RUNS} runs after one warm-up (each run's figures shown), ${os.cpus().length} cores, load ${os.loadavg()[0]!.toFixed(1)}`,
  );
  const baseline = series('baseline: node -e 0', process.execPath, ['-e', '0'], env);
  const help = series('steward --help', process.execPath, [bin, '--help'], env);
  const chat = series(
    'steward chat --as demo-sales 帮助',
    process.execPath,
    [bin, 'chat', '--as', 'demo-sales', '帮助'],
    env,
  );
  await startServer(env, false);
  const starts: number[] = [];
  const rss: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const r = await startServer(env, true);
    starts.push(r.ms);
    rss.push(r.rss);
  }
  console.log(`  ${'npm start → /healthz 200'.padEnd(40)} ${starts.map((m) => m.toFixed(0)).join(' ')} ms`);
  console.log(
    `  ${`idle server RSS (${IDLE_MS / 1000} s after /healthz)`.padEnd(40)} ${rss.map((b) => (b / 2 ** 20).toFixed(0)).join(' ')} MB`,
  );
  const start = median(starts);
  const idleRss = median(rss) / 2 ** 20;
  const row = (what: string, ms: number, goal: number) =>
    console.log(
      `  ${what.padEnd(40)} ${(ms / 1000).toFixed(2)} s  ${(ms / baseline).toFixed(1)}× node -e 0  goal < ${goal} s: ${ms < goal * 1000 ? 'met' : 'NOT met'}`,
    );
  console.log(`\nmedians (baseline node -e 0: ${baseline.toFixed(0)} ms)`);
  row('steward --help', help, 0.5);
  row('steward chat --as demo-sales 帮助', chat, 1.5);
  row('npm start → /healthz', start, 3);
  console.log(
    `  ${'idle server RSS'.padEnd(40)} ${idleRss.toFixed(0)} MB  goal < 200 MB: ${idleRss < 200 ? 'met' : 'NOT met'}`,
  );
  fs.rmSync(env.DATA_DIR!, { recursive: true, force: true });
}

await main();
