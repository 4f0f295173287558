import { QueryTypes, Transaction, type Sequelize } from 'sequelize';
import { codedLength, LineBlocks, lengthCoded, type LineShape } from './line-blocks.js';
import type { TableSpec } from './tables.js';
import { packetView, transactionConnection, type MysqlField } from '../../../models/driver-internals.js';

/** Full blocks allowed to wait before the socket is paused (about 1 MB). */
const AHEAD = 4;
/** The empty first column whose position locates each row's bytes, and the check after the last. */
const HEAD = 'steward_row';
const TAIL = 'end';

const quote = (sequelize: Sequelize, name: string) => sequelize.getQueryInterface().quoteIdentifier(name);

/** A table's lines in blocks, with how many rows each holds. */
export type Blocks = AsyncIterable<{ block: Buffer; rows: number }[]>;

/**
 * Encodes each row straight from the packet bytes mysql2 received. The SELECT starts with an
 * empty column: its (empty) buffer is a view into the packet, so it says where the row's values
 * begin, and they are read from there as length-coded values (MySQL's text protocol). The other
 * columns are left unparsed: mysql2 decoding 20 million values into strings and views cost more
 * than the rest of the backup. A literal last column must follow them, or the layout is not what
 * this code expects and the backup fails instead of writing anything wrong.
 */
function rowEncoder(lines: LineBlocks, isStopped: () => boolean): (field: MysqlField) => null {
  let arrayBuffer: ArrayBufferLike | null = null;
  let bytes: Uint8Array = new Uint8Array(0);
  return (field) => {
    if (field.name !== HEAD || isStopped()) return null;
    const head = packetView(field);
    if (head.buffer !== arrayBuffer) {
      arrayBuffer = head.buffer;
      bytes = new Uint8Array(arrayBuffer);
    }
    const end = lines.addRow(bytes, head.byteOffset);
    const tail = lengthCoded(bytes, end);
    if (codedLength() !== TAIL.length || Buffer.from(bytes.buffer, tail, TAIL.length).toString('latin1') !== TAIL)
      throw new Error('unexpected MySQL row layout in backup read');
    return null;
  };
}

/**
 * MySQL: one SELECT on the transaction's own connection, each row encoded into blocks as it
 * arrives (see rowEncoder); the socket is paused while blocks wait to be written, so memory stays
 * flat.
 */
async function* mysqlBlocks(sequelize: Sequelize, spec: TableSpec, t: Transaction, lines: LineBlocks): Blocks {
  const conn = transactionConnection(t);
  const cols = spec.columns.map((c) => quote(sequelize, c)).join(', ');
  const sql = `SELECT '' AS ${quote(sequelize, HEAD)}${cols ? `, ${cols}` : ''}, '${TAIL}' FROM ${quote(sequelize, spec.table)} ORDER BY ${quote(sequelize, spec.pk)}`;
  let ended = false;
  let failure: Error | null = null;
  let paused = false;
  let stopped = false;
  let wake: (() => void) | null = null;
  const signal = () => {
    wake?.();
    wake = null;
  };
  conn
    .query({ sql, rowsAsArray: true, typeCast: rowEncoder(lines, () => stopped) })
    .on('result', () => {
      if (lines.pending >= AHEAD && !paused) {
        paused = true;
        conn.pause();
      }
      if (lines.pending) signal();
    })
    .on('error', (err) => {
      failure = err;
      signal();
    })
    .on('end', () => {
      ended = true;
      signal();
    });
  try {
    for (;;) {
      // Resuming hands over the rows mysql2 queued while paused (and may reach the end), so it
      // comes before waiting and before taking the blocks.
      if (paused) {
        paused = false;
        conn.resume();
      }
      if (!lines.pending && !ended && !failure) await new Promise<void>((resolve) => (wake = resolve));
      if (failure) throw failure;
      // Rows keep arriving while the consumer holds a yield; only an end seen before taking is final.
      const last = ended;
      const ready = last ? lines.finish() : lines.take();
      if (ready.length) yield ready;
      if (last) return;
    }
  } finally {
    // A consumer that stops early (a failed write) must not leave the connection paused mid-result,
    // or the rollback would wait behind it; the rest of the rows are dropped as they come.
    stopped = true;
    if (paused) conn.resume();
  }
}

/** SQLite: keyset pages of 5000 by primary key inside the read transaction. */
async function* sqliteBlocks(sequelize: Sequelize, spec: TableSpec, t: Transaction, lines: LineBlocks): Blocks {
  const cols = spec.columns.map((c) => quote(sequelize, c)).join(', ');
  const table = quote(sequelize, spec.table);
  const pk = quote(sequelize, spec.pk);
  let last: unknown = null;
  for (;;) {
    const where = last === null ? '' : `WHERE ${pk} > ?`;
    const page = await sequelize.query<Record<string, unknown>>(
      `SELECT ${cols} FROM ${table} ${where} ORDER BY ${pk} LIMIT 5000`,
      { replacements: last === null ? [] : [last], transaction: t, type: QueryTypes.SELECT, raw: true },
    );
    for (const row of page) lines.addValues(spec.columns.map((c) => row[c]));
    if (page.length < 5000) {
      const rest = lines.finish();
      if (rest.length) yield rest;
      return;
    }
    yield lines.take();
    last = page[page.length - 1]![spec.pk];
  }
}

/** Every row of a table as backup lines (one JSON value per line), in primary-key order. */
export function tableBlocks(sequelize: Sequelize, spec: TableSpec, t: Transaction, shape: LineShape): Blocks {
  const lines = new LineBlocks(spec, shape);
  return sequelize.getDialect() === 'mysql'
    ? mysqlBlocks(sequelize, spec, t, lines)
    : sqliteBlocks(sequelize, spec, t, lines);
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
