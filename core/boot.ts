import fs from 'node:fs';
import path from 'node:path';
import { createSequelize, dialectOf, parseDatabaseUrl, redactUrl, type Dialect } from '../models/db.js';
import { initModels } from '../models/index.js';
// The database's composition: the one core file that imports migrations/ (see eslint.config.js).
import { schema } from '../migrations/migrate.js';
import { isLostRace } from '../models/tx.js';
import { withBootLock } from '../models/boot-lock.js';
import type { Config } from './config.js';
import type { Core } from './context.js';
import type { Logger } from './logger.js';
import { checkKeyCanary, keyCanary, loadKeys } from './privacy.js';
import { anchorAuditChain } from './audit/anchor.js';

/** Builds the core context for a configuration. Opens no connection yet. */
export function openCore(config: Config, logger: Logger, now: () => Date = () => new Date()): Core {
  const target = parseDatabaseUrl(config.DATABASE_URL);
  const sequelize = createSequelize(target);
  return { models: initModels(sequelize), config, keys: loadKeys(config, logger), logger, now, schema };
}

/** Raised when the database cannot be reached; the message says what to check. */
export class DatabaseUnavailableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DatabaseUnavailableError';
  }
}

/** One line explaining a connection failure, without a stack trace or the password. */
export function explainDbError(err: unknown, url: string): string {
  const e = err as { original?: { code?: string; message?: string }; parent?: { code?: string }; message?: string };
  const code = e.original?.code ?? e.parent?.code ?? '';
  const where = redactUrl(url);
  const hints: Record<string, string> = {
    ECONNREFUSED: '连接被拒绝: 数据库没有启动, 或主机/端口不对',
    ENOTFOUND: '找不到该主机名',
    ETIMEDOUT: '连接超时: 检查网络和防火墙',
    ER_ACCESS_DENIED_ERROR:
      '用户名或密码错误 (若 root 用 unix socket 认证, 请在 URL 加 ?socketPath=/run/mysqld/mysqld.sock)',
    ER_BAD_DB_ERROR: '数据库不存在: 先 CREATE DATABASE',
    ENOENT: 'socket 文件不存在: 检查 socketPath',
    SQLITE_CANTOPEN: '无法打开 SQLite 文件: 检查路径和写权限',
  };
  const hint = hints[code] ?? e.original?.message ?? e.message ?? String(err);
  return `无法连接数据库 ${where}: ${hint}${code ? ` (${code})` : ''}`;
}

/**
 * The default SQLite file follows DATA_DIR; it used to stay in ./data. A database left there while
 * DATA_DIR points elsewhere would otherwise start as a new empty one: say where it is instead.
 */
export function refuseStrandedDatabase(config: Config, cwd = process.cwd()): void {
  if (config.env.DATABASE_URL) return;
  const old = path.resolve(cwd, 'data', 'steward.sqlite');
  const now = path.resolve(cwd, config.DATA_DIR, 'steward.sqlite');
  if (old === now || fs.existsSync(now) || !fs.existsSync(old)) return;
  throw new DatabaseUnavailableError(
    `默认的 SQLite 数据库现在放在 DATA_DIR (${now}), 那里还没有, 而 ./data/steward.sqlite 有数据。请把 ./data 里的 steward.sqlite 和 dev-keys.json 移到 ${config.DATA_DIR}, 或设置 DATABASE_URL=sqlite:./data/steward.sqlite, 再启动。`,
  );
}

/** Connects and applies pending migrations; throws DatabaseUnavailableError with a one-line reason. */
export async function prepareDatabase(core: Core): Promise<{ dialect: Dialect; applied: string[] }> {
  const { sequelize } = core.models;
  refuseStrandedDatabase(core.config);
  try {
    await sequelize.authenticate();
  } catch (err) {
    throw new DatabaseUnavailableError(explainDbError(err, core.config.DATABASE_URL));
  }
  // Instances started at once on an empty database migrate one after another (models/boot-lock.ts).
  const applied = await withBootLock(sequelize, async () => {
    const applied = await core.schema.up(sequelize);
    if (applied.length) core.logger.info({ applied }, 'migrations applied');
    const canary = await core.models.StewardMeta.findByPk('key_check');
    if (canary) checkKeyCanary(core.keys, canary.value);
    else {
      // Several instances starting at once on an empty database: one writes the canary, the others check it.
      await core.models.StewardMeta.create({ key: 'key_check', value: keyCanary(core.keys) }).catch(
        async (err: unknown) => {
          if (!isLostRace(err)) throw err;
          const won = await core.models.StewardMeta.findByPk('key_check');
          if (won) checkKeyCanary(core.keys, won.value);
        },
      );
    }
    // A chain from before STEWARD_AUDIT_KEY is brought under the key once (see core/audit/anchor.ts).
    await anchorAuditChain(core);
    return applied;
  });
  return { dialect: dialectOf(sequelize), applied };
}

/** For /healthz: the dialect and whether migrations are current; throws if the database is down. */
export async function databaseHealth(core: Core): Promise<{ database: Dialect; migrations: 'up-to-date' | 'pending' }> {
  const { sequelize } = core.models;
  await sequelize.query('SELECT 1');
  const pending = await core.schema.pending(sequelize);
  return { database: dialectOf(sequelize), migrations: pending.length ? 'pending' : 'up-to-date' };
}
