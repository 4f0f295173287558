import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe } from '@jest/globals';
import mysql from 'mysql2/promise';
import { loadConfig, type Config } from '../../core/config.js';
import { openCore, prepareDatabase } from '../../core/boot.js';
import type { Actor, Core } from '../../core/context.js';
import { createLogger } from '../../core/logger.js';
import type { Door, Operator, Role } from '../../models/index.js';
import { fromMigratedTemplate } from './schema-template.js';

export interface DialectTarget {
  name: 'sqlite' | 'mariadb';
  /** A fresh database URL for this jest worker (created on demand). */
  url: () => Promise<string>;
}

/** SQLite always; MariaDB too when TEST_DATABASE_URL is set (one database per jest worker). */
export function testDialects(): DialectTarget[] {
  const out: DialectTarget[] = [
    {
      name: 'sqlite',
      url: async () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'steward-test-'));
        return `sqlite:${path.join(dir, 'test.sqlite')}`;
      },
    },
  ];
  const base = process.env.TEST_DATABASE_URL;
  if (base) out.push({ name: 'mariadb', url: () => freshMysqlDatabase(base) });
  return out;
}

let databases = 0;

/**
 * Creates a fresh database on the server TEST_DATABASE_URL names. The name carries the
 * process id, so parallel jest workers (and parallel runs) never share one.
 */
export async function freshMysqlDatabase(base: string, suffix = ''): Promise<string> {
  const u = new URL(base);
  const name = `steward_t${process.pid}_${++databases}${suffix}`;
  const socketPath = u.searchParams.get('socketPath') ?? undefined;
  const conn = await mysql.createConnection({
    host: u.hostname,
    port: Number(u.port || 3306),
    user: decodeURIComponent(u.username || 'root'),
    password: decodeURIComponent(u.password),
    socketPath,
  });
  await conn.query(`DROP DATABASE IF EXISTS \`${name}\``);
  await conn.query(`CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
  await conn.end();
  u.pathname = `/${name}`;
  return u.toString();
}

const key = () => crypto.randomBytes(32).toString('base64');
/**
 * One pair of data keys per test process: a database is only readable with the keys that wrote it,
 * and the same keys let test/helpers/demo-seed.ts reuse a seed. A test that needs other keys (a
 * restore refused for a key mismatch) passes its own.
 */
const KEYS = { STEWARD_DATA_KEY: key(), STEWARD_INDEX_KEY: key() };

/** A valid test configuration for a database URL; `extra` overrides any variable. */
export function testConfig(url: string, extra: Record<string, string> = {}): Config {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'steward-data-'));
  return loadConfig({
    NODE_ENV: 'test',
    DATABASE_URL: url,
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    DATA_DIR: dataDir,
    STEWARD_DEMO: 'false',
    ...KEYS,
    SESSION_SECRET: crypto.randomBytes(32).toString('hex'),
    ADMIN_PASSWORD: 'admin-pass-123',
    ...extra,
  });
}

/**
 * The same core (database, keys, clock) with a config loaded anew: these variables over the ones
 * its config was read from. A config is frozen, so this is how a test gets other values.
 */
export function withEnv(core: Core, env: Record<string, string | undefined>): Core {
  return { ...core, config: loadConfig({ ...core.config.env, ...env }) };
}

/** What a database test gets: a migrated core, a movable clock and operators by role. */
export interface Harness {
  dialect: DialectTarget['name'];
  core: Core;
  /** Sets the time core sees; `null` goes back to the real clock. */
  setNow(d: Date | null): void;
  /** From now on `core` is withEnv(core, env): what starts after this (an app, a bot) reads these values. */
  reconfigure(env: Record<string, string | undefined>): void;
  /** An operator with these roles (created once per name). */
  operator(name: string, roles: Role[], ids?: Record<string, string | undefined>): Promise<Operator>;
  actor(name: string, roles: Role[], door?: Door): Promise<Actor>;
}

type DialectBody = (h: Harness) => void;

/** Runs `body` once per dialect, each against a freshly migrated database configured with `extraEnv`. */
export function eachDialect(title: string, body: DialectBody, extraEnv?: Record<string, string>): void;
/** The same with the variables first, so the body stays the last argument. */
export function eachDialect(title: string, extraEnv: Record<string, string>, body: DialectBody): void;
export function eachDialect(
  title: string,
  first: DialectBody | Record<string, string>,
  second?: DialectBody | Record<string, string>,
): void {
  const [body, extraEnv] =
    typeof first === 'function' ? [first, (second ?? {}) as Record<string, string>] : [second as DialectBody, first];
  for (const target of testDialects()) {
    describe(`${title} [${target.name}]`, () => {
      let fixed: Date | null = null;
      const h = { dialect: target.name } as Harness;
      beforeAll(async () => {
        // The database starts as a copy of the migrated schema; prepareDatabase still checks it (schema-template.ts).
        const config = testConfig(await fromMigratedTemplate(await target.url()), extraEnv);
        h.core = openCore(config, createLogger(config.LOG_LEVEL), () => fixed ?? new Date());
        await prepareDatabase(h.core);
      });
      afterAll(async () => {
        if (!h.core) return;
        const { sequelize } = h.core.models;
        if (sequelize.getDialect() === 'mysql')
          await sequelize.query(`DROP DATABASE IF EXISTS \`${sequelize.getDatabaseName()}\``).catch(() => undefined);
        await sequelize.close();
      });
      h.setNow = (d) => {
        fixed = d;
      };
      h.reconfigure = (env) => {
        h.core = withEnv(h.core, env);
      };
      h.operator = async (name, roles, ids = {}) => {
        const [op, created] = await h.core.models.Operator.findOrCreate({
          where: { displayName: name },
          defaults: {
            displayName: name,
            roles: roles.join(','),
            email: `${encodeURIComponent(name)}@test.local`,
            passwordHash: null,
            active: true,
          },
        });
        // Chat accounts by channel id, e.g. { wecom: 'zhangsan', feishu: 'ou_1' }.
        if (created) {
          const rows = Object.entries(ids)
            .filter((e): e is [string, string] => typeof e[1] === 'string')
            .map(([channel, externalId]) => ({ operatorId: op.id, channel, externalId }));
          if (rows.length) await h.core.models.OperatorIdentity.bulkCreate(rows);
        }
        return op;
      };
      h.actor = async (name, roles, door = 'cli') => ({ operator: await h.operator(name, roles), door });
      body(h);
    });
  }
}
