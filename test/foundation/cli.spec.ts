import { spawn, spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { runWithEnv } from '../helpers/steward-cli.js';

const bin = path.resolve('cli/bin.mjs');

function env(extra: Record<string, string>): NodeJS.ProcessEnv {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'steward-cli-'));
  const key = () => crypto.randomBytes(32).toString('base64');
  return {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    DATA_DIR: dir,
    DATABASE_URL: `sqlite:${dir}/s.sqlite`,
    STEWARD_DEMO: 'false',
    STEWARD_DATA_KEY: key(),
    STEWARD_INDEX_KEY: key(),
    SESSION_SECRET: crypto.randomBytes(32).toString('hex'),
    ...extra,
  };
}

function run(args: string[], extra: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [bin, ...args], { env: env(extra), encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('steward CLI: bad configuration gets one line and a non-zero exit (in process)', () => {
  // A command opens its core from this environment, as the real binary does from its own.
  it('a malformed DATABASE_URL', async () => {
    const r = await runWithEnv(env({ DATABASE_URL: 'mysql://root@127.0.0.1:3306/' }), ['seed', '--demo']);
    expect([r.code, r.err]).toEqual([1, '错误: DATABASE_URL 缺少数据库名, 例如 mysql://root@127.0.0.1:3306/steward\n']);
  });

  it('an unsupported database kind', async () => {
    const r = await runWithEnv(env({ DATABASE_URL: 'postgres://x@y/z' }), ['seed', '--demo']);
    expect(r.code).toBe(1);
    expect(r.err.trim().split('\n')).toHaveLength(1);
    expect(r.err).toContain('DATABASE_URL 应为 sqlite:<文件路径> 或 mysql://user:pass@host:port/db');
  });

  it('an unreachable database, with the password hidden', async () => {
    const r = await runWithEnv(env({ DATABASE_URL: 'mysql://root:topsecret@127.0.0.1:1/steward' }), ['migrate']);
    expect([r.code, r.err]).toEqual([
      1,
      '错误: 无法连接数据库 mysql://root:***@127.0.0.1:1/steward: 连接被拒绝: 数据库没有启动, 或主机/端口不对 (ECONNREFUSED)\n',
    ]);
  });
});

describe('steward CLI, the real binary: bad input gets one line and a non-zero exit', () => {
  it('a bad PORT names the variable', () => {
    const r = run(['serve'], { PORT: 'eighty' });
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toBe(
      '错误: 配置错误 (configuration error): PORT 应为 1–65535 之间的整数 (integer 1-65535), 实际为 "eighty"',
    );
  });

  it('an unknown command is bad usage (exit 2)', () => {
    const r = run(['frobnicate']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("unknown command 'frobnicate'");
  });

  it('a port already in use', async () => {
    const blocker = net.createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
    const port = (blocker.address() as net.AddressInfo).port;
    try {
      const r = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
        const child = spawn(process.execPath, [bin, 'serve'], {
          env: env({ PORT: String(port), HOST: '127.0.0.1', JOBS_ENABLED: 'false' }),
        });
        let stderr = '';
        child.stderr.on('data', (d) => (stderr += d));
        child.on('exit', (code) => resolve({ code, stderr }));
      });
      expect(r.code).toBe(1);
      expect(r.stderr.trim()).toBe(`错误: 端口 ${port} 已被占用: 请停止占用它的程序, 或设置 PORT=<其他端口> 再启动。`);
    } finally {
      blocker.close();
    }
  });
});

describe('steward chat (console door)', () => {
  it('prints the replies as JSON with button ids, and clicking a button in another process runs it', async () => {
    const e = env({});
    // Each in-process command opens its own core from `e`, as a separate run would; the click is a real one.
    const seed = await runWithEnv(e, ['seed', '--demo']);
    expect(seed.out).toMatch(/^已载入演示数据: 60 个客户, \d+ 张订单。/);
    const again = await runWithEnv(e, ['seed', '--demo']);
    expect(again.out.trim()).toBe('数据库里已有客户数据, 未重复载入演示数据。');
    type Replies = { replies: { text: string; buttons: { id: string; text: string }[] }[] };
    const chat = async (...args: string[]) =>
      JSON.parse((await runWithEnv(e, ['chat', '--json', ...args])).out) as Replies;
    const help = await chat('--as', 'demo-sales', '帮助');
    expect(help.replies[0]!.text).toContain('• 停用客户 <编码> [原因] [备注]');
    const proposal = await chat('--as', 'demo-admin', '停用客户 C20260002 信息错误');
    expect(proposal.replies[0]!.buttons).toEqual([
      { id: 'confirm:C20260002', text: '确认停用' },
      { id: 'cancel', text: '取消' },
    ]);
    const click = spawnSync(
      process.execPath,
      [bin, 'chat', '--json', '--as', 'demo-admin', '--click', 'confirm:C20260002'],
      {
        env: e,
        encoding: 'utf8',
      },
    );
    expect((JSON.parse(click.stdout) as Replies).replies[0]!.text).toMatch(/^已停用客户 C20260002 /);
  });
});
