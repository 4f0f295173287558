import type { Transaction } from 'sequelize';
import type { LedgerDocType, LedgerSource } from '../../models/index.js';
import type { Core } from '../context.js';
import { insertRows, isMysql } from '../data/sql.js';

/** What happened to a document: the words 关联数据处理记录 turns into Chinese. */
export type LedgerChange = 'created' | 'updated' | 'closed' | 'completed' | 'cancelled' | 'reopened' | 'paid' | 'released' | (string & {});

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
  const rows = events.map((e) => ({
    docType: e.docType, docNumber: e.docNumber, customerId: e.customerId, change: e.change,
    before: e.before ? JSON.stringify(e.before) : null, after: e.after ? JSON.stringify(e.after) : null,
    source: e.source, door: e.door, actorName: e.actorName.slice(0, 100), batchId: e.batchId ?? null, at: new Date(Math.floor(e.at.getTime() / 1000) * 1000),
  }));
  await insertRows(core.models.LedgerEvent as never, rows, { transaction: t, chunk: 1000 });
}

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
