import type { ModelAttributeColumnOptions, Sequelize, Transaction } from 'sequelize';

/**
 * Every use of a database driver's private or undocumented API, in one place: Sequelize's
 * connection manager and pool (sequelize, sequelize-pool), a transaction's own connection, a
 * DECIMAL's scale and the connection settings with their beforeConnect hooks (sequelize), mysql2's
 * formatter hook, packet buffers and connection state flags (mysql2). The rest of the
 * code calls these functions and never reaches into a driver itself. After upgrading one of those
 * packages, test/foundation/driver-internals.spec.ts says (naming the package and version) which
 * of these no longer holds. One behaviour is patched rather than reached into: sequelize's SQLite
 * query formats its saved stack only for an error (core/data/patches/sequelize+6.37.8.patch).
 */

export type RawCallback = (err: Error | null, result: unknown) => void;

/** One column of a text-protocol row, as mysql2 hands it to a `typeCast` function. */
export interface MysqlField {
  name: string;
  buffer(): Buffer | null;
}

/** A streaming query's events (mysql2's Query emitter). */
export interface MysqlQuery {
  on(event: 'result' | 'end', fn: () => void): MysqlQuery;
  on(event: 'error', fn: (err: Error) => void): MysqlQuery;
}

/** What we use of mysql2's callback-style Connection, the kind Sequelize opens. */
export interface MysqlConnection {
  query(sql: string, cb: RawCallback): unknown;
  query(sql: string, values: unknown[], cb: RawCallback): unknown;
  query(opts: { sql: string; rowsAsArray: boolean; typeCast: (field: MysqlField) => null }): MysqlQuery;
  pause(): void;
  resume(): void;
}

/** mysql2 keeps a connection's options, the query formatter among them, on `config`. */
interface FormattableConnection {
  config: { queryFormat?: unknown };
  query(sql: string, cb: RawCallback): unknown;
}

/** What Sequelize's SQLite connection manager hands out: a node-sqlite3 Database. */
export interface SqliteHandle {
  configure(option: 'busyTimeout', ms: number): void;
  run(sql: string): void;
}

/** sequelize-pool's figures, as Sequelize's connection manager holds its pool. */
export interface PoolStats {
  inUse: number;
  idle: number;
  waiting: number;
  max: number;
}

/** The mysql2 connection a MySQL transaction runs on (Sequelize keeps it on the transaction, undocumented). */
export function transactionConnection(t: Transaction): MysqlConnection {
  return (t as unknown as { connection: MysqlConnection }).connection;
}

const asIs = (sql: string) => sql;

/**
 * Sends `sql` exactly as given (it must be escaped already): mysql2 would otherwise scan it once
 * more for placeholders. mysql2 formats synchronously inside query(), so swapping the connection's
 * formatter for the call applies to this statement only.
 */
export function queryAsIs(conn: MysqlConnection, sql: string, cb: RawCallback): void {
  const raw = conn as unknown as FormattableConnection;
  const own = raw.config.queryFormat;
  raw.config.queryFormat = asIs;
  try {
    raw.query(sql, cb);
  } finally {
    raw.config.queryFormat = own;
  }
}

/**
 * Whether a mysql2 connection can take another statement: mysql2's private state flags, checked as
 * Sequelize's MySQL connection manager checks its own (validate).
 */
export function connectionUsable(conn: object): boolean {
  const c = conn as {
    _fatalError?: unknown;
    _protocolError?: unknown;
    _closing?: boolean;
    stream?: { destroyed?: boolean };
  };
  return !c._fatalError && !c._protocolError && !c._closing && !c.stream?.destroyed;
}

/**
 * Sequelize's pool for MariaDB (sequelize-pool: using, available, waiting, maxSize); null for
 * SQLite (its pool object is never used: one connection per file) or when the shape is not the
 * expected one, so a metrics scrape reports nothing rather than failing.
 */
export function poolStats(sequelize: Sequelize): PoolStats | null {
  if (sequelize.getDialect() === 'sqlite') return null;
  const pool = (
    sequelize.connectionManager as unknown as {
      pool?: { using?: number; available?: number; waiting?: number; maxSize?: number };
    }
  ).pool;
  if (!pool || typeof pool.using !== 'number') return null;
  return { inUse: pool.using, idle: pool.available ?? 0, waiting: pool.waiting ?? 0, max: pool.maxSize ?? 0 };
}

/**
 * Runs `setup` once on every SQLite handle Sequelize opens (it opens one per transaction), by
 * wrapping its connection manager's getConnection.
 */
export function onNewSqliteHandle(sequelize: Sequelize, setup: (handle: SqliteHandle) => void): void {
  const cm = sequelize.connectionManager as unknown as { getConnection(o?: unknown): Promise<SqliteHandle> };
  const original = cm.getConnection.bind(cm);
  const ready = new WeakSet<SqliteHandle>();
  cm.getConnection = async (options?: unknown) => {
    const handle = await original(options);
    if (!ready.has(handle)) {
      ready.add(handle);
      setup(handle);
    }
    return handle;
  };
}

/** What reuseSqliteHandles needs of Sequelize's SQLite connection manager and its node-sqlite3 handles. */
interface SqliteManager {
  connections: Record<string, ReusableHandle>;
  getConnection(options?: { uuid?: string }): Promise<ReusableHandle>;
  releaseConnection(handle: ReusableHandle, force?: boolean): void;
  _onProcessExit(): Promise<void>;
}
interface ReusableHandle extends SqliteHandle {
  uuid?: string;
  filename: string;
  run(sql: string, cb?: (err: Error | null) => void): void;
  close(cb?: (err: Error | null) => void): void;
}

/**
 * Sequelize opens a new SQLite handle for every transaction and closes it after: each open reads
 * the whole schema again and sets its pragmas (about a third of a small write's time here). This
 * keeps up to `keep` finished handles and hands them to the next transactions. A handle goes back
 * only after a ROLLBACK, which ends a transaction whose COMMIT failed and is otherwise refused
 * harmlessly; sequelize.close() closes the kept ones too.
 */
export function reuseSqliteHandles(sequelize: Sequelize, keep = 4): void {
  const cm = sequelize.connectionManager as unknown as SqliteManager;
  // Each kept handle with its ROLLBACK, which the next transaction waits for.
  const idle: { handle: ReusableHandle; clean: Promise<void> }[] = [];
  let closed = false;
  const get = cm.getConnection.bind(cm);
  const release = cm.releaseConnection.bind(cm);
  const exit = cm._onProcessExit.bind(cm);
  cm.getConnection = async (options) => {
    const uuid = options?.uuid;
    const kept = uuid && uuid !== 'default' && !cm.connections[uuid] ? idle.pop() : undefined;
    if (!kept) return get(options);
    cm.connections[uuid!] = kept.handle;
    await kept.clean;
    return kept.handle;
  };
  cm.releaseConnection = (handle, force) => {
    const shared = !handle.uuid || handle.uuid === 'default' || handle.filename === ':memory:';
    if (closed || force || shared || idle.length >= keep) return release(handle, force);
    delete cm.connections[handle.uuid!];
    handle.uuid = undefined;
    idle.push({ handle, clean: new Promise((resolve) => handle.run('ROLLBACK', () => resolve())) });
  };
  cm._onProcessExit = async () => {
    closed = true;
    const kept = idle.splice(0);
    await Promise.all(
      kept.map(({ handle, clean }) => clean.then(() => new Promise<void>((r) => handle.close(() => r())))),
    );
    await exit();
  };
}

/** A column's type name (Sequelize's DataType `key`) and, for DECIMAL, its scale (the private `_scale`; 0 when unset). */
export function columnType(attribute: ModelAttributeColumnOptions): { key: string; scale: number } {
  const type = attribute.type as unknown as { key: string; _scale?: number };
  return { key: type.key, scale: type._scale ?? 0 };
}

/**
 * A field's bytes as a view into the packet mysql2 received, not a copy: its `buffer` and
 * `byteOffset` locate the field inside the row, so the row's other values can be read from there
 * (the backup's row encoder does).
 */
export function packetView(field: MysqlField): Buffer {
  return field.buffer()!;
}

/** What Sequelize keeps of its connection settings (`sequelize.config`, partly undocumented). */
interface SequelizeConfig {
  host?: string;
  port?: number | string;
  username?: string;
  password?: string | null;
  database?: string;
  dialectOptions?: Record<string, unknown>;
}

/**
 * Sequelize's UTC offset as mysql2 takes it. UTC is 'Z': mysql2 reads a binary DATETIME as
 * Date.UTC(...) only for 'Z', and for '+00:00' formats it as text and parses that again, which
 * took ~7 % of a chat lookup's server time (seven date columns).
 */
function mysql2Zone(offset: string): string {
  return /^[+-]00:?00$/.test(offset) ? 'Z' : offset;
}

/**
 * mysql2 settings for a connection of our own that goes where Sequelize's next one would: its
 * beforeConnect hooks run first (models/failover.ts picks the cluster node there, through the
 * undocumented runHooks), and values read as Sequelize reads them, without its type-cast function.
 */
export async function connectionSettings(sequelize: Sequelize): Promise<Record<string, unknown>> {
  const base = sequelize.config as unknown as SequelizeConfig;
  const config = { ...base };
  await (sequelize as unknown as { runHooks(name: string, arg: unknown): Promise<void> }).runHooks(
    'beforeConnect',
    config,
  );
  return {
    ...(base.dialectOptions ?? {}),
    host: config.host,
    port: config.port === undefined ? undefined : Number(config.port),
    user: config.username,
    password: config.password ?? undefined,
    database: config.database,
    timezone: mysql2Zone((sequelize as unknown as { options: { timezone?: string } }).options.timezone ?? '+00:00'),
    flags: '-FOUND_ROWS',
    // Sequelize's DATEONLY reads as 'YYYY-MM-DD' text; mysql2 alone would make it a Date.
    dateStrings: ['DATE'],
  };
}
