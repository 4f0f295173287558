import { QueryTypes, Transaction, type Sequelize } from 'sequelize';
import { rowLine, type TableSpec } from './tables.js';

interface MysqlField {
  string(): string | null;
}
interface MysqlConnection {
  query(opts: { sql: string; rowsAsArray: boolean; typeCast: (field: MysqlField) => unknown }): { stream(opts: { highWaterMark: number }): AsyncIterable<unknown[]> };
}

const quote = (sequelize: Sequelize, name: string) => sequelize.getQueryInterface().quoteIdentifier(name);

/**
 * MySQL: one streamed SELECT on the transaction's own connection, every value as text (mysql2's
 * per-value parsing and Sequelize's date parsing cost more than the whole backup otherwise).
 */
async function* mysqlRows(sequelize: Sequelize, spec: TableSpec, t: Transaction): AsyncIterable<unknown[]> {
  const conn = (t as unknown as { connection: MysqlConnection }).connection;
  const sql = `SELECT ${spec.columns.map((c) => quote(sequelize, c)).join(', ')} FROM ${quote(sequelize, spec.table)} ORDER BY ${quote(sequelize, spec.pk)}`;
  yield* conn.query({ sql, rowsAsArray: true, typeCast: (field) => field.string() }).stream({ highWaterMark: 2000 });
}

/** SQLite: keyset pages of 5000 by primary key inside the read transaction. */
async function* sqliteRows(sequelize: Sequelize, spec: TableSpec, t: Transaction): AsyncIterable<unknown[]> {
  const cols = spec.columns.map((c) => quote(sequelize, c)).join(', ');
  const table = quote(sequelize, spec.table);
  const pk = quote(sequelize, spec.pk);
  let last: unknown = null;
  for (;;) {
    const where = last === null ? '' : `WHERE ${pk} > ?`;
    const page = await sequelize.query<Record<string, unknown>>(`SELECT ${cols} FROM ${table} ${where} ORDER BY ${pk} LIMIT 5000`, { replacements: last === null ? [] : [last], transaction: t, type: QueryTypes.SELECT, raw: true });
    for (const row of page) yield spec.columns.map((c) => row[c]);
    if (page.length < 5000) return;
    last = page[page.length - 1]![spec.pk];
  }
}

/** Every row of a table as normalised JSON lines, in primary-key order. */
export async function* tableLines(sequelize: Sequelize, spec: TableSpec, t: Transaction): AsyncIterable<string> {
  const rows = sequelize.getDialect() === 'mysql' ? mysqlRows(sequelize, spec, t) : sqliteRows(sequelize, spec, t);
  for await (const values of rows) yield rowLine(spec, values);
}

/**
 * Runs `fn` in a transaction that sees one consistent snapshot: REPEATABLE READ on MySQL (the
 * snapshot is fixed at the first read), a deferred read transaction on SQLite (WAL keeps it).
 * It writes nothing, so writers are not blocked.
 */
export async function withSnapshot<T>(sequelize: Sequelize, fn: (t: Transaction) => Promise<T>): Promise<T> {
  if (sequelize.getDialect() === 'mysql') {
    return sequelize.transaction({ isolationLevel: Transaction.ISOLATION_LEVELS.REPEATABLE_READ }, async (t) => {
      await sequelize.query('SELECT 1 FROM audit_head LIMIT 1', { transaction: t });
      return fn(t);
    });
  }
  return sequelize.transaction({ type: Transaction.TYPES.DEFERRED }, fn);
}
