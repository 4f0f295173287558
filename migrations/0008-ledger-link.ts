import { DataTypes, type QueryInterface } from 'sequelize';
import type { Migration } from './types.js';
import { longText } from '../models/types.js';

const id = { type: DataTypes.INTEGER, autoIncrement: true, primaryKey: true, allowNull: false };
const source = { type: DataTypes.STRING(16), allowNull: false, defaultValue: 'local' };

/** Document numbers and a source on orders, receivables and reservations; new batch, approval and outbox columns. */
async function addDocumentColumns(qi: QueryInterface): Promise<void> {
  const mysql = qi.sequelize.getDialect() === 'mysql';
  // ERP document numbers run longer than our own SO2026000001.
  if (mysql) await qi.sequelize.query('ALTER TABLE sales_orders MODIFY number VARCHAR(64) NOT NULL');
  await qi.addColumn('sales_orders', 'source', source);
  await qi.addColumn('receivables', 'number', { type: DataTypes.STRING(64), allowNull: true });
  await qi.addColumn('receivables', 'source', source);
  await qi.addIndex('receivables', ['number'], { unique: true, name: 'receivables_number_unique' });
  await qi.addColumn('reservations', 'number', { type: DataTypes.STRING(64), allowNull: true });
  await qi.addColumn('reservations', 'source', source);
  await qi.addIndex('reservations', ['number'], { unique: true, name: 'reservations_number_unique' });
  await qi.addColumn('import_batches', 'kind', {
    type: DataTypes.STRING(16),
    allowNull: false,
    defaultValue: 'customers',
  });
  await qi.addColumn('approval_requests', 'requester_note', { type: DataTypes.STRING(500), allowNull: true });
  await qi.addColumn('approval_requests', 'handling', { type: longText(qi.sequelize), allowNull: true });
  await qi.addColumn('bot_outbox', 'http_status', { type: DataTypes.INTEGER, allowNull: true });
  await qi.addColumn('bot_outbox', 'last_attempt_at', { type: DataTypes.DATE, allowNull: true });
}

/** The history of ledger documents and how fresh each feed is. */
async function createLedgerTables(qi: QueryInterface): Promise<void> {
  await qi.createTable('ledger_events', {
    id,
    doc_type: { type: DataTypes.STRING(16), allowNull: false },
    doc_number: { type: DataTypes.STRING(64), allowNull: false },
    customer_id: { type: DataTypes.INTEGER, allowNull: false },
    change: { type: DataTypes.STRING(24), allowNull: false },
    before: { type: DataTypes.TEXT, allowNull: true },
    after: { type: DataTypes.TEXT, allowNull: true },
    source: { type: DataTypes.STRING(16), allowNull: false },
    door: { type: DataTypes.STRING(16), allowNull: false },
    actor_name: { type: DataTypes.STRING(100), allowNull: false },
    batch_id: { type: DataTypes.INTEGER, allowNull: true },
    at: { type: DataTypes.DATE, allowNull: false },
  });
  // Every reader names document numbers (revert by type and number, the handling record by
  // customer and number), so one index led by the number serves them all; a per-customer index
  // would cost each ledger push ~1,000 random index inserts more for no query.
  await qi.addIndex('ledger_events', ['doc_number', 'doc_type'], { name: 'ledger_events_doc' });
  await qi.addIndex('ledger_events', ['batch_id'], { name: 'ledger_events_batch' });

  await qi.createTable('ledger_feeds', {
    source: { type: DataTypes.STRING(16), primaryKey: true, allowNull: false },
    last_received_at: { type: DataTypes.DATE, allowNull: false },
    last_order_received_at: { type: DataTypes.DATE, allowNull: true },
    last_document_date: { type: DataTypes.DATEONLY, allowNull: true },
    documents: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
  });
}

/** The record of a deletion's blockers and how they were cleared. */
async function createDeletionChecks(qi: QueryInterface): Promise<void> {
  await qi.createTable('deletion_checks', {
    id,
    customer_id: { type: DataTypes.INTEGER, allowNull: false },
    customer_code: { type: DataTypes.STRING(32), allowNull: false },
    at: { type: DataTypes.DATE, allowNull: false },
    operator_id: { type: DataTypes.INTEGER, allowNull: true },
    operator_name: { type: DataTypes.STRING(100), allowNull: false },
    door: { type: DataTypes.STRING(16), allowNull: false },
    stage: { type: DataTypes.STRING(16), allowNull: false },
    blockers: { type: DataTypes.TEXT, allowNull: false },
    request_id: { type: DataTypes.INTEGER, allowNull: true },
  });
  await qi.addIndex('deletion_checks', ['customer_id', 'at'], { name: 'deletion_checks_customer' });
}

/** API tokens and the idempotency keys of their writes. */
async function createApiTables(qi: QueryInterface): Promise<void> {
  await qi.createTable('api_tokens', {
    id,
    name: { type: DataTypes.STRING(64), allowNull: false },
    token_hash: { type: DataTypes.STRING(64), allowNull: false },
    prefix: { type: DataTypes.STRING(16), allowNull: false },
    scopes: { type: DataTypes.STRING(255), allowNull: false },
    expires_at: { type: DataTypes.DATE, allowNull: true },
    last_used_at: { type: DataTypes.DATE, allowNull: true },
    revoked_at: { type: DataTypes.DATE, allowNull: true },
    created_by: { type: DataTypes.STRING(100), allowNull: false },
    created_at: { type: DataTypes.DATE, allowNull: false },
  });
  await qi.addIndex('api_tokens', ['name'], { unique: true, name: 'api_tokens_name_unique' });
  await qi.addIndex('api_tokens', ['token_hash'], { unique: true, name: 'api_tokens_hash_unique' });

  await qi.createTable('api_idempotency', {
    id,
    token_id: { type: DataTypes.INTEGER, allowNull: false },
    idem_key: { type: DataTypes.STRING(191), allowNull: false },
    method: { type: DataTypes.STRING(8), allowNull: false },
    path: { type: DataTypes.STRING(191), allowNull: false },
    request_hash: { type: DataTypes.STRING(64), allowNull: false },
    state: { type: DataTypes.STRING(12), allowNull: false },
    status: { type: DataTypes.INTEGER, allowNull: true },
    response: { type: longText(qi.sequelize), allowNull: true },
    created_at: { type: DataTypes.DATE, allowNull: false },
    expires_at: { type: DataTypes.DATE, allowNull: false },
  });
  await qi.addIndex('api_idempotency', ['token_id', 'idem_key'], {
    unique: true,
    name: 'api_idempotency_key_unique',
  });
  await qi.addIndex('api_idempotency', ['expires_at'], { name: 'api_idempotency_expires' });
}

/** Webhook subscriptions and their delivery attempts (deliveries ride the outbox). */
async function createWebhookTables(qi: QueryInterface): Promise<void> {
  await qi.createTable('webhook_subscriptions', {
    id,
    url: { type: DataTypes.STRING(500), allowNull: false },
    events: { type: DataTypes.STRING(500), allowNull: false },
    secret_enc: { type: DataTypes.TEXT, allowNull: false },
    active: { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: true },
    created_by: { type: DataTypes.STRING(100), allowNull: false },
    created_at: { type: DataTypes.DATE, allowNull: false },
    updated_at: { type: DataTypes.DATE, allowNull: false },
  });
  await qi.createTable('webhook_attempts', {
    id,
    outbox_id: { type: DataTypes.INTEGER, allowNull: false },
    subscription_id: { type: DataTypes.INTEGER, allowNull: false },
    at: { type: DataTypes.DATE, allowNull: false },
    http_status: { type: DataTypes.INTEGER, allowNull: true },
    ms: { type: DataTypes.INTEGER, allowNull: false },
    error: { type: DataTypes.STRING(500), allowNull: true },
  });
  await qi.addIndex('webhook_attempts', ['outbox_id'], { name: 'webhook_attempts_outbox' });
  await qi.addIndex('webhook_attempts', ['subscription_id', 'at'], { name: 'webhook_attempts_subscription' });
  // The webhook lane reads the oldest unsent row of each subscriber.
  await qi.addIndex('bot_outbox', ['door', 'target_id', 'status', 'id'], { name: 'bot_outbox_lane' });
}

/**
 * The ledger link: documents keyed by the ERP's own numbers, their history, feed freshness,
 * API tokens and idempotency keys, webhook subscriptions (deliveries ride the outbox), and
 * the record of how a deletion's blockers were cleared.
 */
export const ledgerLink: Migration = {
  name: '0008-ledger-link',
  async up({ context: qi }) {
    await addDocumentColumns(qi);
    await createLedgerTables(qi);
    await createDeletionChecks(qi);
    await createApiTables(qi);
    await createWebhookTables(qi);
  },
  async down({ context: qi }) {
    for (const t of [
      'webhook_attempts',
      'webhook_subscriptions',
      'api_idempotency',
      'api_tokens',
      'deletion_checks',
      'ledger_feeds',
      'ledger_events',
    ])
      await qi.dropTable(t);
    await qi.removeIndex('bot_outbox', 'bot_outbox_lane');
    for (const [table, col] of [
      ['bot_outbox', 'last_attempt_at'],
      ['bot_outbox', 'http_status'],
      ['approval_requests', 'handling'],
      ['approval_requests', 'requester_note'],
      ['import_batches', 'kind'],
      ['reservations', 'source'],
      ['reservations', 'number'],
      ['receivables', 'source'],
      ['receivables', 'number'],
      ['sales_orders', 'source'],
    ] as const) {
      await qi.removeColumn(table, col);
    }
  },
};
