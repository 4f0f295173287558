import type { Sequelize } from 'sequelize';
import { Customer } from './customer.js';
import { SalesOrder } from './sales-order.js';
import { Receivable } from './receivable.js';
import { Product } from './product.js';
import { Reservation } from './reservation.js';
import { Operator } from './operator.js';
import { OperatorIdentity } from './operator-identity.js';
import { CodeSequence, CustomerRecode } from './code-sequence.js';
import { AuditEvent, AuditHead } from './audit-event.js';
import { ApprovalRequest } from './approval-request.js';
import { ApprovalCode } from './approval-code.js';
import { RecycleEntry } from './recycle-entry.js';
import { StewardMeta } from './meta.js';
import { ImportBatch, ImportRow } from './import-batch.js';
import { BackupRecord } from './backup-record.js';
import { BotInbound, BotConversation, BotOutbox } from './bot.js';
import { JobRun } from './job-run.js';
import { CustomerKeep } from './customer-keep.js';
import { LedgerEvent, LedgerFeed, DeletionCheck } from './ledger.js';
import { ApiToken, ApiIdempotency, WebhookSubscription, WebhookAttempt } from './api.js';
import { JsherpLink, JsherpCandidate, JsherpState, JsherpWrite } from './jsherp.js';
import { SocketLease } from './socket-lease.js';
import { CustomerMerge, CustomerAlias } from './customer-merge.js';
import { DuplicateDismissal } from './duplicate-dismissal.js';
import { ListEntry } from './list-entry.js';

export {
  Customer,
  SalesOrder,
  Receivable,
  Product,
  Reservation,
  Operator,
  OperatorIdentity,
  CodeSequence,
  AuditEvent,
  AuditHead,
  ApprovalRequest,
  ApprovalCode,
  RecycleEntry,
  StewardMeta,
};
export * from './customer.js';
export * from './sales-order.js';
export * from './receivable.js';
export * from './reservation.js';
export * from './operator.js';
export * from './operator-identity.js';
export * from './audit-event.js';
export * from './approval-request.js';
export * from './approval-code.js';
export * from './import-batch.js';
export * from './backup-record.js';
export * from './bot.js';
export * from './job-run.js';
export * from './customer-keep.js';
export * from './ledger.js';
export * from './api.js';
export * from './jsherp.js';
export * from './socket-lease.js';
export * from './customer-merge.js';
export * from './duplicate-dismissal.js';
export { CustomerRecode, RECODE_STATUSES, type RecodeRow, type RecodeStatus } from './code-sequence.js';
export * from './list-entry.js';

/** All models, bound to one connection. */
export interface Models {
  sequelize: Sequelize;
  Customer: typeof Customer;
  SalesOrder: typeof SalesOrder;
  Receivable: typeof Receivable;
  Product: typeof Product;
  Reservation: typeof Reservation;
  Operator: typeof Operator;
  OperatorIdentity: typeof OperatorIdentity;
  CodeSequence: typeof CodeSequence;
  AuditEvent: typeof AuditEvent;
  AuditHead: typeof AuditHead;
  ApprovalRequest: typeof ApprovalRequest;
  ApprovalCode: typeof ApprovalCode;
  RecycleEntry: typeof RecycleEntry;
  StewardMeta: typeof StewardMeta;
  ImportBatch: typeof ImportBatch;
  ImportRow: typeof ImportRow;
  BackupRecord: typeof BackupRecord;
  BotInbound: typeof BotInbound;
  BotConversation: typeof BotConversation;
  BotOutbox: typeof BotOutbox;
  JobRun: typeof JobRun;
  CustomerKeep: typeof CustomerKeep;
  LedgerEvent: typeof LedgerEvent;
  LedgerFeed: typeof LedgerFeed;
  DeletionCheck: typeof DeletionCheck;
  ApiToken: typeof ApiToken;
  ApiIdempotency: typeof ApiIdempotency;
  WebhookSubscription: typeof WebhookSubscription;
  WebhookAttempt: typeof WebhookAttempt;
  JsherpLink: typeof JsherpLink;
  JsherpCandidate: typeof JsherpCandidate;
  JsherpState: typeof JsherpState;
  JsherpWrite: typeof JsherpWrite;
  SocketLease: typeof SocketLease;
  CustomerMerge: typeof CustomerMerge;
  CustomerAlias: typeof CustomerAlias;
  DuplicateDismissal: typeof DuplicateDismissal;
  CustomerRecode: typeof CustomerRecode;
  ListEntry: typeof ListEntry;
}

/** Binds every model to `sequelize` and declares associations. Opens no connection.
 * Each call makes fresh subclasses, so two connections (e.g. a backup restored into a scratch
 * SQLite beside the live MariaDB) can coexist in one process. */
export function initModels(sequelize: Sequelize): Models {
  const m = {
    sequelize,
    Customer: class extends Customer {}.initModel(sequelize),
    SalesOrder: class extends SalesOrder {}.initModel(sequelize),
    Receivable: class extends Receivable {}.initModel(sequelize),
    Product: class extends Product {}.initModel(sequelize),
    Reservation: class extends Reservation {}.initModel(sequelize),
    Operator: class extends Operator {}.initModel(sequelize),
    OperatorIdentity: class extends OperatorIdentity {}.initModel(sequelize),
    CodeSequence: class extends CodeSequence {}.initModel(sequelize),
    AuditEvent: class extends AuditEvent {}.initModel(sequelize),
    AuditHead: class extends AuditHead {}.initModel(sequelize),
    ApprovalRequest: class extends ApprovalRequest {}.initModel(sequelize),
    ApprovalCode: class extends ApprovalCode {}.initModel(sequelize),
    RecycleEntry: class extends RecycleEntry {}.initModel(sequelize),
    StewardMeta: class extends StewardMeta {}.initModel(sequelize),
    ImportBatch: class extends ImportBatch {}.initModel(sequelize),
    ImportRow: class extends ImportRow {}.initModel(sequelize),
    BackupRecord: class extends BackupRecord {}.initModel(sequelize),
    BotInbound: class extends BotInbound {}.initModel(sequelize),
    BotConversation: class extends BotConversation {}.initModel(sequelize),
    BotOutbox: class extends BotOutbox {}.initModel(sequelize),
    JobRun: class extends JobRun {}.initModel(sequelize),
    CustomerKeep: class extends CustomerKeep {}.initModel(sequelize),
    LedgerEvent: class extends LedgerEvent {}.initModel(sequelize),
    LedgerFeed: class extends LedgerFeed {}.initModel(sequelize),
    DeletionCheck: class extends DeletionCheck {}.initModel(sequelize),
    ApiToken: class extends ApiToken {}.initModel(sequelize),
    ApiIdempotency: class extends ApiIdempotency {}.initModel(sequelize),
    WebhookSubscription: class extends WebhookSubscription {}.initModel(sequelize),
    WebhookAttempt: class extends WebhookAttempt {}.initModel(sequelize),
    JsherpLink: class extends JsherpLink {}.initModel(sequelize),
    JsherpCandidate: class extends JsherpCandidate {}.initModel(sequelize),
    JsherpState: class extends JsherpState {}.initModel(sequelize),
    JsherpWrite: class extends JsherpWrite {}.initModel(sequelize),
    SocketLease: class extends SocketLease {}.initModel(sequelize),
    CustomerMerge: class extends CustomerMerge {}.initModel(sequelize),
    CustomerAlias: class extends CustomerAlias {}.initModel(sequelize),
    DuplicateDismissal: class extends DuplicateDismissal {}.initModel(sequelize),
    CustomerRecode: class extends CustomerRecode {}.initModel(sequelize),
    ListEntry: class extends ListEntry {}.initModel(sequelize),
  };
  const none = { constraints: false };
  m.Customer.belongsTo(m.Operator, { as: 'owner', foreignKey: 'ownerId', ...none });
  m.SalesOrder.belongsTo(m.Customer, { as: 'customer', foreignKey: 'customerId', ...none });
  m.Receivable.belongsTo(m.Customer, { as: 'customer', foreignKey: 'customerId', ...none });
  m.Receivable.belongsTo(m.SalesOrder, { as: 'order', foreignKey: 'orderId', ...none });
  m.Reservation.belongsTo(m.Customer, { as: 'customer', foreignKey: 'customerId', ...none });
  m.Reservation.belongsTo(m.Product, { as: 'product', foreignKey: 'productId', ...none });
  m.ApprovalRequest.belongsTo(m.Customer, { as: 'customer', foreignKey: 'customerId', ...none });
  m.ApprovalRequest.belongsTo(m.Operator, { as: 'requester', foreignKey: 'requesterId', ...none });
  return m;
}
