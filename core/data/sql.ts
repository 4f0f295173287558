import mysql from 'mysql2';
import {
  DatabaseError,
  QueryTypes,
  type Model,
  type ModelAttributeColumnOptions,
  type ModelStatic,
  type Sequelize,
  type Transaction,
} from 'sequelize';
import { queryAsIs, transactionConnection } from '../../models/driver-internals.js';
import { executePrepared } from '../../models/prepared-pool.js';

type AnyModel = ModelStatic<Model>;

/** Rows per multi-row INSERT (and per IN list) in bulk import: one round trip per chunk, ~1 MB statements. */
export const IMPORT_CHUNK = 1000;

/**
 * Values per IN list. MariaDB turns an IN list of 1000 or more values into a join with a temporary
 * table (in_predicate_conversion_threshold), which on a table that just grew inside the
 * transaction is often planned as a full scan: 500 keeps every lookup an index lookup.
 */
export const IN_LIST = 500;

/**
 * Lets waiting I/O callbacks run. mysql2 sends a transaction's next statement only once this
 * thread has handled the previous answer, so a long stretch of computing leaves the database idle.
 */
export const letIoIn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** What MySQL answers to an INSERT or UPDATE. */
export interface WriteResult {
  insertId: number;
  affectedRows: number;
}

/** attribute → column name for a model (customers.phoneEnc → phone_enc). */
export function columnNames(model: AnyModel): Map<string, string> {
  return new Map(Object.entries(model.getAttributes()).map(([attr, a]) => [attr, a.field ?? attr]));
}

/** The model's attributes keyed by column name, so bulkInsert escapes dates and booleans per dialect. */
function byField(model: AnyModel): Record<string, ModelAttributeColumnOptions> {
  return Object.fromEntries(Object.values(model.getAttributes()).map((a) => [a.field, a]));
}

export const isMysql = (sequelize: Sequelize) => sequelize.getDialect() === 'mysql';

/**
 * Runs an already escaped statement on a MySQL transaction's own connection, past Sequelize: its
 * query classifier lower-cases the whole SQL text several times, and mysql2 scans it once more for
 * placeholders (the statement is formatted already), which at 1 MB statements adds up to a tenth
 * of an import. The statement is sent at once, so statements issued one after another run in that
 * order without waiting for each other's answers. Errors come back as Sequelize's DatabaseError,
 * so deadlock retries still see them.
 */
export function queryMysql<T>(t: Transaction, sql: string): Promise<T> {
  return new Promise((resolve, reject) => {
    queryAsIs(transactionConnection(t), sql, (err, result) =>
      err ? reject(new DatabaseError(err as never)) : resolve(result as T),
    );
  });
}

/**
 * A small SELECT outside any transaction, as a prepared statement on a pool of connections of its
 * own (models/prepared-pool.ts): Sequelize's query wrapper (a uuid, a captured stack, result
 * formatting) costs as much CPU as the rest of a hot request (the API's transactable check), and
 * MariaDB plans a prepared statement once per connection. Values read as Sequelize reads them.
 * SQLite goes through Sequelize as usual.
 */
export function readPooled<T extends object>(sequelize: Sequelize, sql: string, values: unknown[]): Promise<T[]> {
  if (!isMysql(sequelize))
    return sequelize.query<T>(sql, { replacements: values, type: QueryTypes.SELECT, raw: true, logging: false });
  return executePrepared<T>(sequelize, sql, values);
}

/**
 * A read of at most one row that rides along another query as LEFT JOINs, so that both cost one
 * round trip (the chat's read-only path sends a lookup with the speaker check). Its columns are
 * aliased `r.<name>`; `found` is an expression that is NULL exactly when nothing matched.
 */
export interface JoinedRead {
  joins: string;
  columns: string;
  found: string;
  /** Values for the `?` placeholders in `joins`, in order. */
  values: unknown[];
}

/** The `r.<name>` columns of a row that carried a JoinedRead, without the prefix; null when it found nothing. */
export function joinedRow(row: Record<string, unknown>): Record<string, unknown> | null {
  if (!Number(row.readFound)) return null;
  const out: Record<string, unknown> = {};
  for (const k in row) if (k.startsWith('r.')) out[k.slice(2)] = row[k];
  return out;
}

/** DATE / DATETIME as the drivers give them (Date, or SQLite's text) → Date; null when missing or unreadable. */
export function asDate(v: unknown): Date | null {
  if (v === null || v === undefined || v === '') return null;
  const d = v instanceof Date ? v : new Date(String(v));
  return Number.isNaN(d.getTime()) ? null : d;
}

/** DATEONLY as the drivers give it → YYYY-MM-DD. */
export function asDay(v: unknown): string {
  return v instanceof Date ? v.toISOString().slice(0, 10) : String(v).slice(0, 10);
}

/** An INSERT or UPDATE through queryMysql. */
export const execMysql = (t: Transaction, sql: string) => queryMysql<WriteResult>(t, sql);

/** Escapes `?` placeholders for MySQL the way mysql2 does (arrays become lists, dates UTC). */
export function formatMysql(sql: string, values: unknown[]): string {
  return mysql.format(sql, values as never, false, 'Z');
}

/**
 * A SELECT with `?` placeholders (arrays expand to IN lists) on either dialect, as plain rows.
 * On MySQL inside a transaction it is sent at once (see queryMysql), in order with other statements.
 */
export async function selectRows<T extends object>(
  sequelize: Sequelize,
  sql: string,
  values: unknown[],
  t?: Transaction | null,
): Promise<T[]> {
  const opts = { type: QueryTypes.SELECT, raw: true, transaction: t ?? undefined } as const;
  if (isMysql(sequelize) && t) return queryMysql<T[]>(t, formatMysql(sql, values));
  if (isMysql(sequelize)) return sequelize.query<T>(formatMysql(sql, values), opts);
  return sequelize.query<T>(sql, { ...opts, replacements: values });
}

export interface InsertOptions {
  transaction?: Transaction;
  chunk?: number;
  /** Upsert: on a clash of `upsertKeys` (columns), overwrite these attributes. */
  updateOnDuplicate?: string[];
  upsertKeys?: string[];
  onChunk?: (done: number) => void;
}

/**
 * Multi-row INSERTs of attribute-keyed rows, `chunk` rows per statement: one round trip per
 * chunk instead of per row, and no model instances built.
 */
export async function insertRows(
  model: AnyModel,
  rows: Record<string, unknown>[],
  opts: InsertOptions = {},
): Promise<void> {
  if (!rows.length) return;
  const names = columnNames(model);
  const attrs = byField(model);
  const qi = model.sequelize!.getQueryInterface();
  const size = opts.chunk ?? 500;
  const extra = opts.updateOnDuplicate
    ? { updateOnDuplicate: opts.updateOnDuplicate.map((a) => names.get(a) ?? a), upsertKeys: opts.upsertKeys }
    : {};
  const fast = isMysql(model.sequelize!) && !opts.updateOnDuplicate && opts.transaction;
  for (let i = 0; i < rows.length; i += size) {
    if (fast) {
      await execMysql(opts.transaction!, mysqlInsert(model.getTableName() as string, names, rows.slice(i, i + size)));
      opts.onChunk?.(Math.min(i + size, rows.length));
      continue;
    }
    const chunk = rows.slice(i, i + size).map((r) => {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(r)) if (v !== undefined) out[names.get(k) ?? k] = v;
      return out;
    });
    await qi.bulkInsert(model.getTableName() as string, chunk, { transaction: opts.transaction, ...extra }, attrs);
    opts.onChunk?.(Math.min(i + size, rows.length));
  }
}

/** Splits a list into pieces of `size` (for IN lists). */
export function chunks<T>(list: T[], size = IN_LIST): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < list.length; i += size) out.push(list.slice(i, i + size));
  return out;
}

/**
 * A multi-row INSERT for MySQL built by mysql2's escaper (dates as UTC, as Sequelize stores them
 * here): Sequelize's per-value escaping costs about as much as the database work at 100k rows.
 */
export function mysqlInsert(table: string, names: Map<string, string>, rows: Record<string, unknown>[]): string {
  const attrs = [...new Set(rows.flatMap((r) => Object.keys(r).filter((k) => r[k] !== undefined)))];
  return mysqlInsertValues(
    table,
    attrs.map((a) => names.get(a) ?? a),
    rows.map((r) => attrs.map((a) => r[a] ?? null)),
  );
}

// Characters mysql2's escaper rewrites (the same set); a string without them only needs its quotes.
// eslint-disable-next-line no-control-regex
const SPECIAL = /[\0\b\t\n\r\x1a"'\\]/;

/** One value as MySQL text: what mysql2's escape gives (dates as UTC), with a cache for the date every row shares. */
function valueWriter(): (v: unknown) => string {
  let lastDate: Date | null = null;
  let lastText = '';
  return (v) => {
    if (v === null || v === undefined) return 'NULL';
    if (typeof v === 'string') return SPECIAL.test(v) ? mysql.escape(v) : `'${v}'`;
    if (typeof v === 'number') return String(v);
    if (v instanceof Date) {
      if (v !== lastDate) {
        lastDate = v;
        lastText = mysql.escape(v, false, 'Z');
      }
      return lastText;
    }
    return mysql.escape(v as never, false, 'Z');
  };
}

/**
 * A multi-row INSERT of value arrays in `columns` order, each value escaped by mysql2 (dates as
 * UTC). Joined rather than appended: a megabyte statement built with `+=` is a chain of small
 * pieces that has to be copied flat again before it can be sent.
 */
export function mysqlInsertValues(table: string, columns: string[], values: unknown[][]): string {
  const text = valueWriter();
  const tuples = new Array<string>(values.length);
  for (let i = 0; i < values.length; i++) {
    const row = values[i]!;
    let tuple = `(${text(row[0])}`;
    for (let j = 1; j < row.length; j++) tuple += `,${text(row[j])}`;
    tuples[i] = `${tuple})`;
  }
  tuples[0] = `INSERT INTO ${mysql.escapeId(table)} (${columns.map((c) => mysql.escapeId(c)).join(', ')}) VALUES ${tuples[0]}`;
  return tuples.join(',');
}
