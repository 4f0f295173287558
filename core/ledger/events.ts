import type { Transaction } from 'sequelize';
import type { LedgerDocType, LedgerSource } from '../../models/index.js';
import type { Core } from '../context.js';
import { execMysql, insertRows, isMysql, mysqlInsertValues } from '../data/sql.js';

/** What happened to a document: the words 关联数据处理记录 turns into Chinese. */
export type LedgerChange =
  | 'created'
  | 'updated'
  | 'closed'
  | 'completed'
  | 'cancelled'
  | 'reopened'
  | 'paid'
  | 'released'
  | (string & {});

/** One ledger_events row to write. `before`/`after` are the document's fields (JSON-able objects). */
export interface LedgerEventInput {
  docType: LedgerDocType;
  docNumber: string;
  customerId: number;
  change: LedgerChange;
  before: Record<string, unknown> | null;
  after: Record<string, unknown> | null;
  source: LedgerSource;
  door: string;
  actorName: string;
  batchId?: number | null;
  at: Date;
}

/** Appends ledger events with multi-row INSERTs inside `t` (the ledger push and local order actions). */
export async function recordLedgerEvents(core: Core, t: Transaction, events: LedgerEventInput[]): Promise<void> {
  if (!events.length) return;
  // Whole seconds on both dialects (MariaDB DATETIME keeps none), so the history reads back alike.
  // One Date per distinct second: the events of a call share it, and the escaper caches it.
  const seconds = new Map<number, Date>();
  const second = (at: Date) => {
    const ms = Math.floor(at.getTime() / 1000) * 1000;
    let d = seconds.get(ms);
    if (!d) seconds.set(ms, (d = new Date(ms)));
    return d;
  };
  const values = events.map((e) => [
    e.docType,
    e.docNumber,
    e.customerId,
    e.change,
    e.before ? JSON.stringify(e.before) : null,
    e.after ? JSON.stringify(e.after) : null,
    e.source,
    e.door,
    e.actorName.slice(0, 100),
    e.batchId ?? null,
    second(e.at),
  ]);
  if (isMysql(core.models.sequelize)) {
    // Value arrays straight into the statement: the ledger push writes 1,000 events a call.
    for (let i = 0; i < values.length; i += 1000)
      await execMysql(t, mysqlInsertValues('ledger_events', EVENT_COLUMNS, values.slice(i, i + 1000)));
    return;
  }
  const rows = values.map((v) => Object.fromEntries(EVENT_ATTRIBUTES.map((a, i) => [a, v[i]])));
  await insertRows(core.models.LedgerEvent as never, rows, { transaction: t, chunk: 1000 });
}

const EVENT_ATTRIBUTES = [
  'docType',
  'docNumber',
  'customerId',
  'change',
  'before',
  'after',
  'source',
  'door',
  'actorName',
  'batchId',
  'at',
];
const EVENT_COLUMNS = [
  'doc_type',
  'doc_number',
  'customer_id',
  'change',
  'before',
  'after',
  'source',
  'door',
  'actor_name',
  'batch_id',
  'at',
];

/** What one call received from a source, for the feed's freshness. */
export interface FeedTouch {
  source: LedgerSource;
  at: Date;
  /** Valid documents received (changed or not: a re-send still shows the link is alive). */
  documents: number;
  /** Whether any order came in (the review's 「尚未接入进销存订单数据」 reads this). */
  orders: boolean;
  /** The newest order date received, YYYY-MM-DD. */
  lastDocumentDate: string | null;
}

/**
 * Records that `source` delivered documents: ledger_feeds.lastReceivedAt, lastOrderReceivedAt,
 * lastDocumentDate (never backwards) and the running count, in one upsert.
 */
export async function touchLedgerFeed(core: Core, t: Transaction | null, touch: FeedTouch): Promise<void> {
  if (touch.documents <= 0) return;
  const { sequelize } = core.models;
  const at = new Date(Math.floor(touch.at.getTime() / 1000) * 1000);
  const values = [touch.source, at, touch.orders ? at : null, touch.lastDocumentDate, touch.documents];
  const sql = isMysql(sequelize)
    ? `INSERT INTO ledger_feeds (source, last_received_at, last_order_received_at, last_document_date, documents) VALUES (?, ?, ?, ?, ?)
       ON DUPLICATE KEY UPDATE last_received_at = VALUES(last_received_at),
         last_order_received_at = COALESCE(VALUES(last_order_received_at), last_order_received_at),
         last_document_date = CASE WHEN last_document_date IS NULL OR VALUES(last_document_date) > last_document_date THEN COALESCE(VALUES(last_document_date), last_document_date) ELSE last_document_date END,
         documents = documents + VALUES(documents)`
    : `INSERT INTO ledger_feeds (source, last_received_at, last_order_received_at, last_document_date, documents) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (source) DO UPDATE SET last_received_at = excluded.last_received_at,
         last_order_received_at = COALESCE(excluded.last_order_received_at, last_order_received_at),
         last_document_date = CASE WHEN last_document_date IS NULL OR excluded.last_document_date > last_document_date THEN COALESCE(excluded.last_document_date, last_document_date) ELSE last_document_date END,
         documents = documents + excluded.documents`;
  await sequelize.query(sql, { replacements: values, transaction: t ?? undefined });
}
