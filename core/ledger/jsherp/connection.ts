import mysql from 'mysql2/promise';
import type { Config } from '../../config.js';
import { DomainError } from '../../errors.js';

/** A pool on the jshERP database and the one tenant this connector serves. */
export interface JshDb {
  pool: mysql.Pool;
  tenantId: number;
  /** host:port/database, for messages (never the password). */
  where: string;
  close(): Promise<void>;
}

/** Values a query may bind. */
export type JshParam = string | number | null | (string | number)[];

/** The connector's settings, or a Chinese error naming what is missing. */
export function jshSettings(config: Config): { url: string; tenantId: number } {
  if (!config.JSHERP_DATABASE_URL)
    throw new DomainError(
      'UNAVAILABLE',
      '没有配置 jshERP: 请设置 JSHERP_DATABASE_URL (例如 mysql://user:pass@host:3306/jsh_erp) 和 JSHERP_TENANT_ID。',
      { kind: 'config' },
    );
  if (config.JSHERP_TENANT_ID === undefined)
    throw new DomainError(
      'UNAVAILABLE',
      '没有配置 JSHERP_TENANT_ID: 请填写 jshERP 的租户 ID (jsh_tenant.tenant_id, 单租户安装一般是 63)。',
      { kind: 'config' },
    );
  return { url: config.JSHERP_DATABASE_URL, tenantId: config.JSHERP_TENANT_ID };
}

/** Opens a small pool (no query yet). DECIMALs come back as strings, BIGINTs as numbers. */
export function openJshDb(url: string, tenantId: number): JshDb {
  const u = new URL(url);
  const database = decodeURIComponent(u.pathname.replace(/^\//, ''));
  const socketPath = u.searchParams.get('socketPath') ?? undefined;
  const pool = mysql.createPool({
    host: u.hostname,
    port: Number(u.port || 3306),
    user: decodeURIComponent(u.username || 'root'),
    password: decodeURIComponent(u.password),
    database,
    socketPath,
    connectionLimit: 4,
    connectTimeout: 5_000,
    supportBigNumbers: true,
    bigNumberStrings: false,
    decimalNumbers: false,
    dateStrings: true,
    timezone: 'local',
    charset: 'utf8mb4',
  });
  const where = `${socketPath ?? `${u.hostname}:${u.port || 3306}`}/${database}`;
  return { pool, tenantId, where, close: () => pool.end() };
}

const UNREACHABLE = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ECONNRESET',
  'PROTOCOL_CONNECTION_LOST',
  'ER_ACCESS_DENIED_ERROR',
  'ER_BAD_DB_ERROR',
  'ENOENT',
  'EPIPE',
]);

/** Turns a driver error into the Chinese message admins receive; schema errors name the column. */
export function jshError(db: Pick<JshDb, 'where'>, err: unknown): DomainError {
  if (err instanceof DomainError) return err;
  const e = err as { code?: string; message?: string };
  if (e.code === 'ER_ACCESS_DENIED_ERROR')
    return new DomainError(
      'UNAVAILABLE',
      `无法登录 jshERP 数据库 (${db.where}): 用户名或密码不对。请检查 JSHERP_DATABASE_URL。`,
      { kind: 'unreachable', driver: e.code },
    );
  if (e.code === 'ER_BAD_DB_ERROR')
    return new DomainError(
      'UNAVAILABLE',
      `jshERP 数据库 ${db.where} 不存在。请检查 JSHERP_DATABASE_URL 的库名 (一般是 jsh_erp)。`,
      { kind: 'unreachable', driver: e.code },
    );
  if (e.code && UNREACHABLE.has(e.code))
    return new DomainError(
      'UNAVAILABLE',
      `连不上 jshERP 数据库 (${db.where}): ${e.code}。本系统照常工作; 请检查 jshERP 的 MySQL 是否在运行、网络和 JSHERP_DATABASE_URL。`,
      { kind: 'unreachable', driver: e.code },
    );
  if (e.code === 'ER_BAD_FIELD_ERROR' || e.code === 'ER_NO_SUCH_TABLE')
    return new DomainError(
      'UNAVAILABLE',
      `jshERP 数据库结构不符 (${db.where}): ${e.message ?? e.code}。请确认这是 jshERP 3.x 的库。`,
      { kind: 'schema', driver: e.code },
    );
  return new DomainError(
    'UNAVAILABLE',
    `读写 jshERP 数据库出错 (${db.where}): ${e.code ?? ''} ${e.message ?? String(err)}`.trim(),
    { kind: 'error', driver: e.code ?? null },
  );
}

/** Runs one statement; errors become jshError's Chinese messages. */
export async function jshQuery<T>(db: JshDb, sql: string, params: JshParam[] = []): Promise<T[]> {
  try {
    const [rows] = await db.pool.query(sql, params);
    return rows as T[];
  } catch (err) {
    throw jshError(db, err);
  }
}
