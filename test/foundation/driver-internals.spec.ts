import fs from 'node:fs';
import mysql from 'mysql2';
import os from 'node:os';
import path from 'node:path';
import { expect, it } from '@jest/globals';
import { DataTypes, QueryTypes, type Sequelize, type Transaction } from 'sequelize';
import {
  columnType,
  connectionSettings,
  connectionUsable,
  onNewSqliteHandle,
  packetView,
  poolStats,
  queryAsIs,
  transactionConnection,
  type MysqlConnection,
  type MysqlField,
  type SqliteHandle,
} from '../../models/driver-internals.js';
import { createSequelize, parseDatabaseUrl } from '../../models/db.js';
import type { Models } from '../../models/index.js';
import { eachDialect } from '../helpers/db.js';

/**
 * One contract per private or undocumented driver API we use (models/driver-internals.ts): after
 * an upgrade, a failure here names the package, its installed version and what changed shape.
 */

/** The installed version of a package, from its own package.json. */
function versionOf(pkg: string): string {
  const file = path.join(process.cwd(), 'node_modules', pkg, 'package.json');
  return (JSON.parse(fs.readFileSync(file, 'utf8')) as { version: string }).version;
}

/** Runs `check`; when it fails, says which package's internals no longer hold and where to fix it. */
async function contract(pkg: string, what: string, check: () => unknown): Promise<void> {
  try {
    await check();
  } catch (err) {
    throw new Error(
      `${pkg} ${versionOf(pkg)} changed what models/driver-internals.ts relies on (${what}).\n${(err as Error).message}`,
    );
  }
}

/** Runs `fn` on a MySQL transaction's own connection, inside that transaction. */
function onTransaction<T>(sequelize: Sequelize, fn: (conn: MysqlConnection, t: Transaction) => Promise<T>): Promise<T> {
  return sequelize.transaction((t) => fn(transactionConnection(t), t));
}

/** A callback query as a promise. */
function ask(conn: MysqlConnection, sql: string, values?: unknown[]): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const cb = (err: Error | null, rows: unknown) => (err ? reject(err) : resolve(rows));
    if (values) conn.query(sql, values, cb);
    else conn.query(sql, cb);
  });
}

/** sequelize: a DataType's `key`, and a DECIMAL's private `_scale`. */
async function decimalContract(models: Models): Promise<void> {
  await contract('sequelize', 'DataTypes.DECIMAL(14, 2) exposes `key` and `_scale`', () => {
    const { amount, number } = models.Receivable.getAttributes();
    expect(columnType(amount!)).toEqual({ key: 'DECIMAL', scale: 2 });
    expect(columnType(number!)).toEqual({ key: 'STRING', scale: 0 });
  });
}

/** sequelize: the SQLite connection manager's getConnection, wrapped so that each handle is set up once. */
async function sqliteHandleContract(models: Models): Promise<void> {
  await contract('sequelize', 'the SQLite connection manager hands out handles through getConnection', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'steward-driver-'));
    const sequelize = createSequelize({ dialect: 'sqlite', storage: path.join(dir, 'contract.sqlite') });
    const seen: SqliteHandle[] = [];
    onNewSqliteHandle(sequelize, (handle) => seen.push(handle));
    try {
      await sequelize.transaction((t) => sequelize.query('SELECT 1', { transaction: t }));
      await sequelize.transaction((t) => sequelize.query('SELECT 1', { transaction: t }));
      expect(seen.length).toBeGreaterThanOrEqual(1);
      expect(new Set(seen).size).toBe(seen.length);
      for (const handle of seen) expect([typeof handle.configure, typeof handle.run]).toEqual(['function', 'function']);
    } finally {
      await sequelize.close();
    }
  });
  // What models/db.ts sets up through it, seen from inside a transaction (which has a handle of its own).
  await contract('sequelize', 'transactions run on handles set up by onNewSqliteHandle', async () => {
    const { sequelize } = models;
    const pragmas = await sequelize.transaction(async (t) => {
      const read = async (name: string) =>
        Object.values((await sequelize.query(`PRAGMA ${name}`, { transaction: t, type: QueryTypes.SELECT }))[0]!);
      return { journal: await read('journal_mode'), timeout: await read('busy_timeout') };
    });
    expect(pragmas).toEqual({ journal: ['wal'], timeout: [15_000] });
  });
}

/** sequelize: the undocumented Transaction#connection is the mysql2 connection the transaction runs on. */
async function transactionConnectionContract(sequelize: Sequelize): Promise<void> {
  await contract('sequelize', "Transaction#connection is the transaction's mysql2 connection", () =>
    onTransaction(sequelize, async (conn, t) => {
      expect([typeof conn.query, typeof conn.pause, typeof conn.resume]).toEqual(['function', 'function', 'function']);
      const [viaSequelize] = await sequelize.query('SELECT CONNECTION_ID() AS id', {
        transaction: t,
        type: QueryTypes.SELECT,
      });
      expect(await ask(conn, 'SELECT CONNECTION_ID() AS id')).toEqual([viaSequelize]);
    }),
  );
}

/** mysql2: a connection's formatter is `config.queryFormat`, consulted on every query; queryAsIs swaps it. */
async function queryAsIsContract(sequelize: Sequelize): Promise<void> {
  await contract('mysql2', "a connection's query formatter is config.queryFormat, consulted on every query", () =>
    onTransaction(sequelize, async (conn) => {
      const config = (conn as unknown as { config: { queryFormat?: unknown } }).config;
      const own = config.queryFormat;
      const spoil = () => "SELECT 'spoiled' AS q";
      config.queryFormat = spoil;
      try {
        expect(await ask(conn, "SELECT 'plain' AS q")).toEqual([{ q: 'spoiled' }]);
        const rows = await new Promise((resolve, reject) =>
          queryAsIs(conn, "SELECT 'plain' AS q, '?' AS mark", (err, r) => (err ? reject(err) : resolve(r))),
        );
        expect(rows).toEqual([{ q: 'plain', mark: '?' }]);
        expect(config.queryFormat).toBe(spoil);
      } finally {
        config.queryFormat = own;
      }
    }),
  );
}

/** sequelize-pool: Sequelize's pool has figures (a transaction holds one of its connections). */
async function poolContract(sequelize: Sequelize): Promise<void> {
  await contract('sequelize-pool', 'connectionManager.pool has using / available / waiting / maxSize', async () => {
    const during = await sequelize.transaction(async () => poolStats(sequelize));
    expect(during).toMatchObject({ max: 10, waiting: 0 });
    expect(during!.inUse).toBeGreaterThanOrEqual(1);
    const after = poolStats(sequelize)!;
    expect(after.inUse).toBe(during!.inUse - 1);
    expect(after.idle).toBeGreaterThanOrEqual(1);
  });
}

/** mysql2: a connection's private flags say whether it can take another statement (the prepared pool's validate). */
async function usableContract(sequelize: Sequelize): Promise<void> {
  await contract('mysql2', 'Connection _fatalError / _closing / stream.destroyed tell a dead connection', async () => {
    const conn = mysql.createConnection(await connectionSettings(sequelize));
    await new Promise<void>((resolve, reject) => conn.connect((err) => (err ? reject(err) : resolve())));
    conn.on('error', () => undefined);
    expect(connectionUsable(conn)).toBe(true);
    const [[{ id }]] = (await conn.promise().query('SELECT CONNECTION_ID() AS id')) as unknown as [[{ id: number }]];
    await sequelize.query(`KILL ${id}`);
    // The server closes it; mysql2 marks it once the close arrives.
    for (let i = 0; i < 50 && connectionUsable(conn); i++) await new Promise((r) => setTimeout(r, 20));
    expect(connectionUsable(conn)).toBe(false);
    conn.destroy();
  });
}

/** mysql2: in a typeCast, `field.buffer()` is a view into the received packet (the backup reads rows from it). */
async function packetViewContract(sequelize: Sequelize): Promise<void> {
  await contract('mysql2', "typeCast's field.buffer() returns a view into the packet, not a copy", () =>
    onTransaction(sequelize, async (conn) => {
      const following: string[] = [];
      const typeCast = (field: MysqlField) => {
        if (field.name !== 'head') return null;
        const view = packetView(field);
        const bytes = new Uint8Array(view.buffer);
        // After the (empty) head comes the next value, length-coded: one length byte, then the text.
        const at = view.byteOffset + view.length;
        following.push(Buffer.from(bytes.subarray(at + 1, at + 1 + bytes[at]!)).toString('latin1'));
        return null;
      };
      await new Promise<void>((resolve, reject) => {
        conn
          .query({ sql: "SELECT '' AS head, 'abc' AS v UNION ALL SELECT '', 'xy'", rowsAsArray: true, typeCast })
          .on('error', reject)
          .on('end', resolve);
      });
      expect(following).toEqual(['abc', 'xy']);
    }),
  );
}

/**
 * sequelize's SQLite query, as core/data/patches/sequelize+*.patch leaves it: the caller's stack is
 * formatted only when a query fails (every query formatted it before), and a failure still has it.
 */
async function sqliteLazyStackContract(sequelize: Sequelize): Promise<void> {
  await contract('sequelize', 'the SQLite query formats its saved stack only on an error (our patch)', async () => {
    const original = Error.prepareStackTrace;
    let formatted = 0;
    Error.prepareStackTrace = (err, frames) => {
      formatted++;
      return original
        ? original(err, frames)
        : `${String(err)}\n${frames.map((f) => `    at ${String(f)}`).join('\n')}`;
    };
    try {
      await sequelize.query('SELECT 1 AS one', { type: QueryTypes.SELECT });
      expect(formatted).toBe(0);
      const failed = await sequelize.query('SELECT no_such_column FROM no_such_table').catch((e: Error) => e);
      expect(failed).toBeInstanceOf(Error);
      expect((failed as Error).message).toMatch(/no such table/);
      // The saved stack is headed by the driver's message, so a test failure or a log line shows it.
      expect((failed as Error).stack).toMatch(/^Error: SQLITE_ERROR: no such table: no_such_table\n\s+at /);
      expect(formatted).toBeGreaterThan(0);
    } finally {
      Error.prepareStackTrace = original;
    }
  });
}

/**
 * sequelize's SQLite query, as our patch leaves it: a table's column types (which turn DATETIME
 * text into Dates) are read with PRAGMA table_info once, not before every SELECT, and read again
 * after a schema change.
 */
async function sqliteColumnTypesContract(): Promise<void> {
  await contract('sequelize', 'the SQLite query reads column types once per table (our patch)', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'steward-driver-'));
    const sequelize = createSequelize({ dialect: 'sqlite', storage: path.join(dir, 'types.sqlite') });
    const pragmas: string[] = [];
    onNewSqliteHandle(sequelize, (handle) => {
      const h = handle as unknown as { all: (sql: string, ...rest: unknown[]) => unknown };
      const all = h.all.bind(h);
      h.all = (sql, ...rest) => {
        if (sql.startsWith('PRAGMA table_info')) pragmas.push(sql);
        return all(sql, ...rest);
      };
    });
    try {
      await sequelize.query('CREATE TABLE `t` (id INTEGER PRIMARY KEY, at DATETIME)');
      await sequelize.query("INSERT INTO `t` (at) VALUES ('2026-12-05 01:02:03.000 +00:00')");
      const at = new Date('2026-12-05T01:02:03Z');
      const T = sequelize.define('t', { at: DataTypes.DATE }, { tableName: 't', timestamps: false });
      expect([(await T.findOne())!.get('at'), (await T.findOne())!.get('at')]).toEqual([at, at]);
      expect(pragmas).toHaveLength(1);
      // A raw SELECT parses nothing by type, so it reads no types.
      expect(await sequelize.query('SELECT at FROM `t`', { type: QueryTypes.SELECT })).toEqual([
        { at: '2026-12-05 01:02:03.000 +00:00' },
      ]);
      expect(pragmas).toHaveLength(1);
      await sequelize.query('ALTER TABLE `t` ADD COLUMN `seen` DATETIME');
      await sequelize.query('UPDATE `t` SET seen = at');
      const T2 = sequelize.define(
        't2',
        { at: DataTypes.DATE, seen: DataTypes.DATE },
        { tableName: 't', timestamps: false },
      );
      expect((await T2.findOne())!.get('seen')).toEqual(at);
      expect(pragmas).toHaveLength(2);
    } finally {
      await sequelize.close();
    }
  });
}

/** The handle a SQLite transaction runs on (Sequelize keeps it on the transaction). */
const handleOf = (t: Transaction) => (t as unknown as { connection: { open: boolean } }).connection;

/**
 * sequelize: the SQLite connection manager keeps one handle per transaction in `connections`, by
 * the transaction's uuid, and releases it after COMMIT or ROLLBACK; reuseSqliteHandles keeps it.
 */
async function sqliteReuseContract(): Promise<void> {
  await contract('sequelize', "the SQLite connection manager's per-transaction handles can be kept", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'steward-driver-'));
    const sequelize = createSequelize({ dialect: 'sqlite', storage: path.join(dir, 'reuse.sqlite') });
    try {
      await sequelize.query('CREATE TABLE t (v TEXT)');
      const first = await sequelize.transaction(async (t) => handleOf(t));
      const second = await sequelize.transaction(async (t) => {
        await sequelize.query("INSERT INTO t VALUES ('kept')", { transaction: t });
        return handleOf(t);
      });
      expect([second === first, first.open]).toEqual([true, true]);
      // A handle given back inside its transaction (as after a failed COMMIT) is rolled back first.
      const left = await sequelize.transaction();
      await sequelize.query("INSERT INTO t VALUES ('lost')", { transaction: left });
      (left as unknown as { cleanup(): void }).cleanup();
      const rows = await sequelize.transaction(async (t) =>
        sequelize.query('SELECT v FROM t', { transaction: t, type: QueryTypes.SELECT }),
      );
      expect(rows).toEqual([{ v: 'kept' }]);
      await sequelize.close();
      expect(first.open).toBe(false);
    } finally {
      await sequelize.close().catch(() => undefined);
    }
  });
}

/** sequelize: `config` holds the connection settings, and runHooks('beforeConnect') may change them (failover). */
async function connectionSettingsContract(sequelize: Sequelize, url: string): Promise<void> {
  await contract(
    'sequelize',
    'sequelize.config and runHooks(beforeConnect) give the next connection its settings',
    async () => {
      const target = new URL(url);
      const settings = await connectionSettings(sequelize);
      expect(settings).toMatchObject({
        host: target.hostname,
        port: Number(target.port || 3306),
        user: decodeURIComponent(target.username || 'root'),
        database: target.pathname.slice(1),
        timezone: 'Z',
        charset: 'utf8mb4',
      });
      const other = createSequelize(parseDatabaseUrl(url), {
        hooks: { beforeConnect: (config: { port?: number }) => void (config.port = 1) } as never,
      });
      try {
        expect(await connectionSettings(other)).toMatchObject({ port: 1, host: target.hostname });
      } finally {
        await other.close();
      }
    },
  );
}

eachDialect('driver internals (models/driver-internals.ts)', (h) => {
  it('a column type tells its key and DECIMAL scale', () => decimalContract(h.core.models));

  if (h.dialect === 'sqlite') {
    it('sets up every SQLite handle once, before its first use', () => sqliteHandleContract(h.core.models));
    it("formats a query's saved stack only when the query fails (patched sequelize)", () =>
      sqliteLazyStackContract(h.core.models.sequelize));
    it("gives a finished transaction's SQLite handle to the next one, rolled back, and closes it on close()", () =>
      sqliteReuseContract());
    it("reads a table's column types once, and again after a schema change (patched sequelize)", () =>
      sqliteColumnTypesContract());
    it('reports no pool for SQLite (one connection per file)', () => {
      expect(poolStats(h.core.models.sequelize)).toBeNull();
    });
  }

  if (h.dialect === 'mariadb') {
    it("reaches a transaction's own mysql2 connection", () => transactionConnectionContract(h.core.models.sequelize));
    it("sends a statement past mysql2's formatter, and puts the formatter back", () =>
      queryAsIsContract(h.core.models.sequelize));
    it("reads the figures of Sequelize's pool", () => poolContract(h.core.models.sequelize));
    it('tells a killed mysql2 connection from a usable one', () => usableContract(h.core.models.sequelize));
    it("reads a row's bytes from mysql2's packet", () => packetViewContract(h.core.models.sequelize));
    it('gives a connection of our own the settings (and failover host) Sequelize would use', () =>
      connectionSettingsContract(h.core.models.sequelize, h.core.config.DATABASE_URL));
  }
});
