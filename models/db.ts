import fs from 'node:fs';
import path from 'node:path';
import { Sequelize, Transaction, type Options } from 'sequelize';
import { failoverHook, type DbHost } from './failover.js';
import { onNewSqliteHandle, reuseSqliteHandles } from './driver-internals.js';

export type Dialect = 'sqlite' | 'mysql';

/** A parsed DATABASE_URL. */
export interface DatabaseTarget {
  dialect: Dialect;
  /** SQLite file path, or ':memory:'. */
  storage?: string;
  host?: string;
  port?: number;
  user?: string;
  password?: string;
  database?: string;
  socketPath?: string;
  /** Every host when the URL lists several (cluster nodes, in order of preference); see failover.ts. */
  hosts?: DbHost[];
}

/** Thrown for a DATABASE_URL that cannot be used; the message says what to fix. */
export class DatabaseUrlError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DatabaseUrlError';
  }
}

/** `node1:3306,node2,node3:3307` → hosts; null when a part is not host[:port]. */
function parseHosts(list: string): DbHost[] | null {
  const hosts: DbHost[] = [];
  for (const part of list.split(',')) {
    const m = /^([A-Za-z0-9.-]+)(?::(\d{1,5}))?$/.exec(part.trim());
    if (!m) return null;
    hosts.push({ host: m[1]!, port: m[2] ? Number(m[2]) : 3306 });
  }
  return hosts;
}

/**
 * Parses `sqlite:<path>` or `mysql://user:pass@host:port/db[?socketPath=…]`; the host part may list
 * several hosts, `mysql://user:pass@node1:3306,node2:3306/db`, to fail over between cluster nodes.
 */
export function parseDatabaseUrl(raw: string): DatabaseTarget {
  if (raw.startsWith('sqlite:')) {
    const storage = raw.slice('sqlite:'.length).replace(/^\/\/(?=\/)/, '');
    if (!storage) throw new DatabaseUrlError('DATABASE_URL 缺少 SQLite 文件路径, 例如 sqlite:./data/steward.sqlite');
    return { dialect: 'sqlite', storage };
  }
  // Several hosts: parse the URL with the first one, keep them all.
  const multi = /^((?:mysql|mariadb):\/\/(?:[^@/]*@)?)([^/?#]*,[^/?#]*)(.*)$/.exec(raw);
  if (multi) {
    const hosts = parseHosts(multi[2]!);
    if (!hosts)
      throw new DatabaseUrlError(
        `DATABASE_URL 的主机列表格式不对: ${redactUrl(raw)}; 应为 mysql://user:pass@node1:3306,node2:3306/db`,
      );
    const first = parseDatabaseUrl(`${multi[1]}${hosts[0]!.host}:${hosts[0]!.port}${multi[3]}`);
    return { ...first, hosts };
  }
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new DatabaseUrlError(
      `DATABASE_URL 格式不对: ${redactUrl(raw)}; 应为 mysql://user:pass@host:3306/db 或 sqlite:./data/steward.sqlite`,
    );
  }
  if (url.protocol !== 'mysql:' && url.protocol !== 'mariadb:') {
    throw new DatabaseUrlError(
      `DATABASE_URL 不支持 ${url.protocol} 数据库; 只支持 mysql:// (MySQL/MariaDB) 和 sqlite:`,
    );
  }
  const database = decodeURIComponent(url.pathname.replace(/^\//, ''));
  if (!database) throw new DatabaseUrlError('DATABASE_URL 缺少数据库名, 例如 mysql://root@127.0.0.1:3306/steward');
  const socketPath = url.searchParams.get('socketPath') ?? undefined;
  if (!url.hostname && !socketPath)
    throw new DatabaseUrlError('DATABASE_URL 缺少主机名 (或 ?socketPath=/run/mysqld/mysqld.sock)');
  return {
    dialect: 'mysql',
    host: url.hostname || 'localhost',
    port: url.port ? Number(url.port) : 3306,
    user: decodeURIComponent(url.username || 'root'),
    password: decodeURIComponent(url.password),
    database,
    socketPath,
  };
}

/** The URL with its password hidden, for logs and messages. */
export function redactUrl(raw: string): string {
  return raw.replace(/(\/\/[^:/@]+:)[^@]*@/, '$1***@');
}

/** Builds a Sequelize instance; nothing connects until the first query. */
export function createSequelize(target: DatabaseTarget, extra: Partial<Options> = {}): Sequelize {
  const common: Options = {
    logging: false,
    timezone: '+00:00',
    define: { underscored: true, freezeTableName: true },
    ...extra,
  };
  if (target.dialect === 'sqlite') {
    const storage = target.storage!;
    if (storage !== ':memory:') {
      try {
        fs.mkdirSync(path.dirname(path.resolve(storage)), { recursive: true });
      } catch {
        // Reported on first use as SQLITE_CANTOPEN, with the path, by the connection check.
      }
    }
    const sequelize = new Sequelize({
      ...common,
      dialect: 'sqlite',
      storage,
      // Every transaction takes the write lock as it begins, sequelize's own (findOrCreate) too: one
      // begun DEFERRED that read first was refused at once (SQLITE_BUSY, no busy wait) when another
      // process wrote before its first write. A read-only snapshot asks for DEFERRED itself.
      transactionType: Transaction.TYPES.IMMEDIATE,
      retry: { max: 5, match: [/SQLITE_BUSY/] },
    });
    patchSqliteConnections(sequelize);
    return sequelize;
  }
  return new Sequelize(target.database!, target.user!, target.password, {
    ...common,
    dialect: 'mysql',
    host: target.socketPath ? undefined : target.host,
    port: target.socketPath ? undefined : target.port,
    dialectOptions: {
      ...(target.socketPath ? { socketPath: target.socketPath } : {}),
      charset: 'utf8mb4',
      // Keep DECIMAL as strings; money is converted explicitly in core/money.
      decimalNumbers: false,
      supportBigNumbers: true,
      bigNumberStrings: true,
    },
    pool: { max: 10, min: 0, acquire: 60_000, idle: 10_000 },
    ...(target.hosts && target.hosts.length > 1
      ? { hooks: { beforeConnect: failoverHook(target.hosts) as never } }
      : {}),
  });
}

/** The dialect name used in /healthz and logs. */
export function dialectOf(sequelize: Sequelize): Dialect {
  return sequelize.getDialect() === 'sqlite' ? 'sqlite' : 'mysql';
}

/** Sequelize opens a new SQLite handle per transaction: keep a few for reuse, and give each WAL and a busy timeout. */
function patchSqliteConnections(sequelize: Sequelize): void {
  reuseSqliteHandles(sequelize);
  onNewSqliteHandle(sequelize, (handle) => {
    handle.configure('busyTimeout', 15_000);
    handle.run('PRAGMA journal_mode=WAL');
    handle.run('PRAGMA synchronous=NORMAL');
  });
}
