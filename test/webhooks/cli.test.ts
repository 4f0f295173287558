import { spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import path from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { tempDir } from '../data/fixtures.js';

const dir = tempDir('steward-webhooks-cli-');
const env = {
  ...process.env,
  DATABASE_URL: `sqlite:${path.join(dir, 'cli.sqlite')}`,
  DATA_DIR: path.join(dir, 'data'),
  STEWARD_DEMO: 'false',
  LOG_LEVEL: 'silent',
  NODE_ENV: 'test',
  STEWARD_DATA_KEY: crypto.randomBytes(32).toString('base64'),
  STEWARD_INDEX_KEY: crypto.randomBytes(32).toString('base64'),
  SESSION_SECRET: crypto.randomBytes(32).toString('hex'),
  WEBHOOK_ALLOW_HOSTS: '127.0.0.1',
};
const steward = (...args: string[]) =>
  spawnSync(process.execPath, [path.resolve('cli/bin.mjs'), ...args], {
    env,
    encoding: 'utf8',
    cwd: dir,
    timeout: 60_000,
  });

// Each spawn compiles the CLI with tsx (a few seconds, more on a busy machine), so the whole flow is one test.
describe('steward webhooks from the command line', () => {
  it('adds (secret shown once), lists without secrets, refuses bad input, and removes', () => {
    const added = steward(
      'webhooks',
      'add',
      '--url',
      'http://127.0.0.1:9/hooks',
      '--events',
      'customer.deactivated,customer.created',
      '--json',
    );
    expect(added.stderr).toBe('');
    expect(added.status).toBe(0);
    const sub = JSON.parse(added.stdout) as { id: number; url: string; events: string; secret: string };
    expect(sub).toEqual({
      id: 1,
      url: 'http://127.0.0.1:9/hooks',
      events: 'customer.created,customer.deactivated',
      secret: expect.stringMatching(/^whsec_/),
    });

    const bad = steward('webhooks', 'add', '--url', 'http://192.168.1.20/hooks', '--events', 'customer.nope');
    expect(bad.status).toBe(1);
    expect(bad.stderr).toContain('customer.nope');

    const listed = steward('webhooks', 'list');
    expect(listed.status).toBe(0);
    expect(listed.stdout).toContain('#1\t启用\thttp://127.0.0.1:9/hooks\tcustomer.created,customer.deactivated');
    expect(listed.stdout).not.toContain(sub.secret);

    expect(steward('webhooks', 'remove', '1').stdout).toContain('已删除 webhook 订阅 #1');
    const after = steward('webhooks', 'list', '--json');
    expect(JSON.parse(after.stdout)).toEqual([expect.objectContaining({ id: 1, active: false })]);
  }, 180_000);
});
