import mysql from 'mysql2';
import { Pool } from 'sequelize-pool';
import { DatabaseError, type Sequelize } from 'sequelize';
import { connectionSettings, connectionUsable } from './driver-internals.js';

/*
 * A small pool of mysql2 connections of its own, for the hottest small reads (a chat lookup's one
 * statement, the API's transactable check), sent as server-side prepared statements. MariaDB then
 * parses and plans each statement once per connection, not per request: the lookup's statement
 * costs the server half the CPU (291 → 141 µs in isolation, 2026-12-06). Sequelize's own
 * connections cannot do this cheaply: they carry a type-cast function, and with one set mysql2
 * wraps every field of a binary-protocol row in a new object. These connections have none; they
 * read values as Sequelize's would (dates in UTC, DATE as text, big numbers as strings) and go
 * where Sequelize's go (its beforeConnect hooks pick the cluster node).
 */

type Connection = mysql.Connection;
const usable = connectionUsable;

const pools = new WeakMap<Sequelize, Pool<Connection>>();
/** Closed with sequelize.close(): as Sequelize's own pool, it opens nothing afterwards. */
const closed = new WeakSet<Sequelize>();

/** Connections a pool keeps at most: enough to keep a two-core MariaDB busy, few beside Sequelize's ten. */
const MAX = 6;

function open(sequelize: Sequelize): Pool<Connection> {
  const pool = new Pool<Connection>({
    name: 'steward-prepared',
    create: async () => {
      // A few statements are hot; should dynamic SQL ever come this way, the oldest are closed
      // (mysql2 evicts and closes them) long before MariaDB's server-wide max_prepared_stmt_count.
      const settings = { ...(await connectionSettings(sequelize)), maxPreparedStatements: 100 };
      const conn = mysql.createConnection(settings) as Connection;
      await new Promise<void>((resolve, reject) => conn.connect((err) => (err ? reject(err) : resolve())));
      // A dropped connection reports on the next statement; this keeps its 'error' event from crashing the process.
      conn.on('error', () => undefined);
      return conn;
    },
    destroy: async (conn) => {
      // A dead connection has nothing to say goodbye on (its end() may never call back).
      if (!usable(conn)) return conn.destroy();
      await new Promise<void>((resolve) => {
        const cut = setTimeout(() => (conn.destroy(), resolve()), 1_000);
        conn.end(() => (clearTimeout(cut), resolve()));
      });
    },
    validate: usable,
    max: MAX,
    min: 0,
    idleTimeoutMillis: 10_000,
    acquireTimeoutMillis: 60_000,
  });
  // sequelize.close() closes this pool too (tests and shutdown call only that).
  const close = sequelize.close.bind(sequelize);
  sequelize.close = async () => {
    closed.add(sequelize);
    pools.delete(sequelize);
    await pool.drain();
    await pool.destroyAllNow();
    return close();
  };
  pools.set(sequelize, pool);
  return pool;
}

/**
 * Runs one SELECT as a prepared statement on the pool (MySQL only). Errors come back as
 * Sequelize's DatabaseError, so outage and conflict checks (models/tx.ts) read them as usual.
 */
export async function executePrepared<T>(sequelize: Sequelize, sql: string, values: unknown[]): Promise<T[]> {
  if (closed.has(sequelize)) throw new DatabaseError(new Error('the database connection was closed') as never);
  const pool = pools.get(sequelize) ?? open(sequelize);
  let conn: Connection;
  try {
    conn = await pool.acquire();
  } catch (err) {
    throw new DatabaseError(err as never);
  }
  try {
    return await new Promise<T[]>((resolve, reject) =>
      conn.execute(sql, values.map((v) => v ?? null) as never, (err, rows) =>
        err ? reject(new DatabaseError(err as never)) : resolve(rows as T[]),
      ),
    );
  } finally {
    if (usable(conn)) pool.release(conn);
    else await pool.destroy(conn);
  }
}
