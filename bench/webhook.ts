// npm run bench -- webhook [--seconds 10] [--connections 64] [--sqlite 1]
// Load on /webhooks/wecom with encrypted `客户 <编码>` lookups (real crypto, each with a new MsgId),
// and, in the same run, on a bare Koa echo route. Both servers run in their own process.
import type { ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';
import { createCallbackCrypto } from '../bot/crypto/wecom-crypto.js';
import { BENCH_URL, freshMysqlDatabase, freshSqliteUrl, fmt, numberArgs, startServer } from './_shared.js';

const args = numberArgs({ seconds: 10, connections: 64, sqlite: 0 });
const WECOM = { WECOM_CORP_ID: 'wwbench', WECOM_TOKEN: 'benchToken', WECOM_AES_KEY: 'jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C', WECOM_AGENT_ID: '1', WECOM_SECRET: 's' };
const box = createCallbackCrypto({ token: WECOM.WECOM_TOKEN, encodingAESKey: WECOM.WECOM_AES_KEY, receiveId: WECOM.WECOM_CORP_ID });


/** The one-query floor server, on the bench database (MariaDB only). */
function startQueryServer(url: string, port: number): Promise<ChildProcess> {
  return startServer(['--import', 'tsx', path.resolve('bench/_query-server.ts')], { PORT: String(port), DATABASE_URL: url }, /listening/);
}

async function load(url: string, bodies: () => { path: string; body: string }): Promise<autocannon.Result> {
  return autocannon({
    url, connections: args.connections, duration: args.seconds, method: 'POST',
    requests: [{ setupRequest: (req) => ({ ...req, ...bodies(), method: 'POST', headers: { 'content-type': 'text/xml' } }) }],
  });
}

async function main(): Promise<void> {
  const url = args.sqlite ? freshSqliteUrl() : await freshMysqlDatabase(BENCH_URL.replace(/\/[^/?]*(\?|$)/, '/steward_bench_webhook$1'));
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'steward-bench-webhook-'));
  const port = 3900 + Math.floor(Math.random() * 50);
  const key = () => crypto.randomBytes(32).toString('base64');
  const env = {
    ...WECOM, DATABASE_URL: url, DATA_DIR: dir, PORT: String(port), HOST: '127.0.0.1', JOBS_ENABLED: 'false', STEWARD_DEMO: 'true', LOG_LEVEL: 'info',
    STEWARD_DATA_KEY: key(), STEWARD_INDEX_KEY: key(), SESSION_SECRET: crypto.randomBytes(32).toString('hex'), ADMIN_PASSWORD: 'bench-admin-1',
  };
  const server = await startServer([path.resolve('cli/bin.mjs'), 'serve'], env, /已启动/);
  const echoPort = port + 100;
  const echo = await startServer(['--import', 'tsx', path.resolve('bench/_echo-server.ts')], { PORT: String(echoPort) }, /listening/);
  try {
    // Pre-encrypt the messages so the load generator's own crypto is not in the measurement.
    const codes = Array.from({ length: 50 }, (_, i) => `C2026${String(i + 1).padStart(4, '0')}`);
    const ts = String(Math.floor(Date.now() / 1000));
    const prepared = Array.from({ length: 60_000 }, (_, i) => {
      const xml = `<xml><ToUserName><![CDATA[wwbench]]></ToUserName><FromUserName><![CDATA[demo-sales]]></FromUserName><CreateTime>${ts}</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[客户 ${codes[i % codes.length]}]]></Content><MsgId>${9_000_000_000_000_000_000n + BigInt(i)}</MsgId><AgentID>1</AgentID></xml>`;
      const enc = box.encrypt(xml);
      const nonce = String(i);
      return { path: `/webhooks/wecom?msg_signature=${box.signature(ts, nonce, enc)}&timestamp=${ts}&nonce=${nonce}`, body: `<xml><Encrypt><![CDATA[${enc}]]></Encrypt></xml>` };
    });
    let n = 0;
    const next = () => prepared[n++ % prepared.length]!;
    // Warm up, then measure.
    await autocannon({ url: `http://127.0.0.1:${port}`, connections: 8, amount: 200, requests: [{ setupRequest: (req) => ({ ...req, ...next(), method: 'POST' }) }] });
    const bot = await load(`http://127.0.0.1:${port}`, next);
    if (n > prepared.length) console.warn(`注意: ${n} 个请求超过了预生成的 ${prepared.length} 条, 之后的请求命中去重 (更快)。`);
    const bare = await load(`http://127.0.0.1:${echoPort}`, () => ({ path: '/echo', body: prepared[0]!.body }));
    const query = args.sqlite ? null : await startQueryServer(url, port + 200).then(async (child) => {
      try {
        return await load(`http://127.0.0.1:${port + 200}`, () => ({ path: '/q', body: prepared[0]!.body }));
      } finally {
        child.kill('SIGTERM');
      }
    });
    const ratio = bot.requests.average / bare.requests.average;
    console.log(`\nwebhook bench (${args.sqlite ? 'SQLite' : 'MariaDB'}, ${args.connections} connections, ${args.seconds} s each)`);
    console.log(`  /webhooks/wecom 客户 lookups: ${fmt(bot.requests.average)} req/s, p99 ${bot.latency.p99} ms, errors ${bot.errors}, non-2xx ${bot.non2xx}`);
    console.log(`  bare Koa echo:                ${fmt(bare.requests.average)} req/s, p99 ${bare.latency.p99} ms`);
    if (query) console.log(`  Koa + 1 raw SELECT (floor):   ${fmt(query.requests.average)} req/s, p99 ${query.latency.p99} ms, ${((query.requests.average / bare.requests.average) * 100).toFixed(1)}% of bare Koa`);
    console.log(`  ratio: ${(ratio * 100).toFixed(1)}% of bare Koa (goal ≥ 40%), p99 ${bot.latency.p99} ms (goal < 50 ms)`);
  } finally {
    server.kill('SIGTERM');
    echo.kill('SIGTERM');
  }
}

await main();
