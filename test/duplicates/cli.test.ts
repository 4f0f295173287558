import { spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, it } from '@jest/globals';
import { jobActor } from '../../core/context.js';
import { openCore, prepareDatabase } from '../../core/boot.js';
import { loadConfig } from '../../core/config.js';
import { createCustomer } from '../../core/customers/create.js';
import { createLogger } from '../../core/logger.js';

const bin = path.resolve('cli/bin.mjs');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'steward-dup-cli-'));
const key = () => crypto.randomBytes(32).toString('base64');
const env: Record<string, string> = {
  PATH: process.env.PATH ?? '',
  HOME: process.env.HOME ?? '',
  DATA_DIR: dir,
  DATABASE_URL: `sqlite:${dir}/s.sqlite`,
  STEWARD_DEMO: 'false',
  STEWARD_DATA_KEY: key(),
  STEWARD_INDEX_KEY: key(),
  SESSION_SECRET: crypto.randomBytes(32).toString('hex'),
};

it('steward check reports 疑似重复 as a warning (exit 0) and lists every pair with --duplicates', async () => {
  const core = openCore(loadConfig({ ...env, LOG_LEVEL: 'silent' }), createLogger('silent'));
  await prepareDatabase(core);
  const job = jobActor('test');
  const a = (await createCustomer(core, job, { name: '金华义乌小商品有限公司', phone: '13300000001' })).customer.code;
  const b = (
    await createCustomer(core, job, { name: '金华义乌小商品', phone: '13300000001' }, { allowDuplicates: true })
  ).customer.code;
  await core.models.sequelize.close();
  const r = spawnSync(process.execPath, [bin, 'check', '--duplicates'], { env, encoding: 'utf8', timeout: 60_000 });
  expect(r.status).toBe(0);
  expect(r.stdout).toContain(`⚠️ 疑似重复客户 (同手机/同名称/与已并入的客户相同): 1 — ${a} ≈ ${b}`);
  expect(r.stdout).toContain(
    `疑似重复客户 1 对 (同手机 1, 同名称 1):\n1. ${a} 金华义乌小商品有限公司 (未分配) ≈ ${b} 金华义乌小商品 (未分配) — 同手机、同名称\n   是同一客户: 合并客户 ${a} ${b}`,
  );
  expect(r.stdout).not.toContain('13300000001');
  const json = JSON.parse(
    spawnSync(process.execPath, [bin, 'check', '--duplicates', '--json'], { env, encoding: 'utf8', timeout: 60_000 })
      .stdout,
  ) as { duplicates: { pairs: { a: { code: string }; signals: string[] }[] } };
  expect(json.duplicates.pairs).toEqual([
    expect.objectContaining({ a: expect.objectContaining({ code: a }), signals: ['phone', 'name'] }),
  ]);
}, 180_000);
