// The Galera cluster on loopback (test/cluster/galera.sh) and the app instances on it, for galera.cluster.ts.
// GALERA_RUNNING=1 reuses a cluster already started under GALERA_DIR (for working on the tests).
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import mysql from 'mysql2/promise';
import pino from 'pino';
import { buildMounts } from '../../cli/server/mounts.js';
import { serve, type Running } from '../../cli/server/serve.js';
import { openCore, prepareDatabase } from '../../core/boot.js';
import type { Core } from '../../core/context.js';
import type { Logger } from '../../core/logger.js';
import { DINGTALK } from '../helpers/bot-app.js';
import { testConfig } from '../helpers/db.js';
import { WECOM } from '../helpers/wecom.js';

const script = path.resolve('test/cluster/galera.sh');
export const reuse = process.env.GALERA_RUNNING === '1';
const dir = process.env.GALERA_DIR ?? fs.mkdtempSync(path.join(os.tmpdir(), 'steward-galera-'));
export const galera = (...args: string[]) =>
  execFileSync(script, args, {
    env: { ...process.env, GALERA_DIR: dir },
    stdio: ['ignore', 'pipe', 'inherit'],
    timeout: 180_000,
  }).toString();
export const nodeUrl = (n: number) => `mysql://root@127.0.0.1:2330${n}/steward`;

export interface Instance {
  n: number;
  core: Core;
  running: Running;
}

/** Error-level log lines of all three instances (JSON), to show no lost race is logged as an error. */
export const errorLines: string[] = [];

/** Opens and migrates one instance's core (what `steward serve` does before it listens). */
export async function prepareInstance(n: number, env: Record<string, string>, url = nodeUrl(n)): Promise<Core> {
  const config = testConfig(url, { ...env, HOST: '127.0.0.1' });
  const logger = pino(
    { level: 'error', base: { instance: n } },
    { write: (line: string) => void errorLines.push(line) },
  ) as unknown as Logger;
  const core = openCore(config, logger);
  await prepareDatabase(core);
  return core;
}

export async function startInstance(n: number, core: Core): Promise<Instance> {
  const running = await serve(core, { mounts: await buildMounts(core), port: 0 });
  return { n, core, running };
}

export async function onNode<T>(n: number, fn: (c: mysql.Connection) => Promise<T>): Promise<T> {
  const c = await mysql.createConnection({ host: '127.0.0.1', port: 23300 + n, user: 'root', database: 'steward' });
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

/** A fresh cluster, or (GALERA_RUNNING=1) a fresh steward database on the one running. */
export async function startCluster(): Promise<void> {
  if (!reuse) galera('start');
  else
    await onNode(1, (c) =>
      c
        .query('DROP DATABASE IF EXISTS steward')
        .then(() => c.query('CREATE DATABASE steward CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci')),
    );
}

/** One deployment: the three instances share their configuration and keys. */
export function clusterEnv(fakeUrl: string): Record<string, string> {
  const key = () => crypto.randomBytes(32).toString('base64');
  return {
    ...WECOM,
    ...DINGTALK,
    WECOM_API_BASE: fakeUrl,
    DINGTALK_API_BASE: fakeUrl,
    DINGTALK_OAPI_BASE: fakeUrl,
    STEWARD_DATA_KEY: key(),
    STEWARD_INDEX_KEY: key(),
    STEWARD_AUDIT_KEY: key(),
    SESSION_SECRET: crypto.randomBytes(32).toString('hex'),
    // As .env.example advises for a cluster.
    CODE_BLOCK_SIZE: '20',
    // Two cheap jobs every 10 s on all three instances (the slot key is to the second).
    JOB_APPROVAL_EXPIRY_CRON: '*/10 * * * * *',
    JOB_REACTIVATE_DUE_CRON: '*/10 * * * * *',
  };
}
