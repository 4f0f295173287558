import type { Model, ModelStatic } from 'sequelize';
import type { Models } from '../../../models/index.js';
import { columnType } from '../../../models/driver-internals.js';

/**
 * What a backup holds, in restore order. Sessions, bot queues, idempotency keys, webhook attempts and
 * the backup log itself are left out (API tokens are hashes; webhook secrets are encrypted like phones).
 */
export const BACKUP_MODELS = [
  'Operator',
  'OperatorIdentity',
  'Product',
  'Customer',
  'SalesOrder',
  'Receivable',
  'Reservation',
  'ApprovalRequest',
  'RecycleEntry',
  'CodeSequence',
  'AuditEvent',
  'AuditHead',
  'StewardMeta',
  'ImportBatch',
  'ImportRow',
  'CustomerKeep',
  'LedgerEvent',
  'LedgerFeed',
  'DeletionCheck',
  'ApiToken',
  'WebhookSubscription',
  'JsherpLink',
  'JsherpCandidate',
  'JsherpState',
  'CustomerMerge',
  'CustomerAlias',
  'DuplicateDismissal',
  'CustomerRecode',
  'ListEntry',
] as const;

/** Columns never written to a backup. */
const EXCLUDED: Record<string, string[]> = { operators: ['password_hash'] };

export type Kind = 'int' | 'bigint' | 'bool' | 'date' | 'dateonly' | 'decimal' | 'text';

/** One table as backup and restore see it: column names in a fixed (sorted) order and their kinds. */
export interface TableSpec {
  table: string;
  model: ModelStatic<Model>;
  pk: string;
  columns: string[];
  kinds: Kind[];
  scales: number[];
}

function kindOf(typeKey: string): Kind {
  switch (typeKey) {
    case 'INTEGER':
    case 'SMALLINT':
    case 'TINYINT':
      return 'int';
    case 'BIGINT':
      return 'bigint';
    case 'BOOLEAN':
      return 'bool';
    case 'DATE':
      return 'date';
    case 'DATEONLY':
      return 'dateonly';
    case 'DECIMAL':
      return 'decimal';
    default:
      return 'text';
  }
}

/** The specs of every backed-up table for one set of models. */
export function tableSpecs(models: Models): TableSpec[] {
  return BACKUP_MODELS.map((name) => {
    const model = models[name] as unknown as ModelStatic<Model>;
    const table = model.getTableName() as string;
    const attrs = Object.values(model.getAttributes()).filter((a) => !(EXCLUDED[table] ?? []).includes(a.field!));
    attrs.sort((a, b) => (a.field! < b.field! ? -1 : 1));
    const pkAttr = model.primaryKeyAttributes[0]!;
    return {
      table,
      model,
      pk: model.getAttributes()[pkAttr]!.field!,
      columns: attrs.map((a) => a.field!),
      kinds: attrs.map((a) => kindOf(columnType(a).key)),
      scales: attrs.map((a) => columnType(a).scale),
    };
  });
}

/** `2026-11-25 03:00:00[.123][ +00:00]` (SQLite, MySQL) or a Date → ISO with milliseconds, UTC. */
function isoDate(v: unknown): string {
  if (v instanceof Date) return v.toISOString();
  const s = String(v);
  // Both dialects store UTC here (Sequelize runs with timezone +00:00); parse without Date for speed.
  const m = /^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}:\d{2})(?:\.(\d+))?(?: ?(?:Z|\+00:?00))?$/.exec(s);
  if (m) return `${m[1]}T${m[2]}.${(m[3] ?? '').padEnd(3, '0').slice(0, 3)}Z`;
  return new Date(s).toISOString();
}

/** A decimal as a string with exactly `scale` places, from a string (MySQL) or a number (SQLite). */
function decimalText(v: unknown, scale: number): string {
  if (typeof v === 'number') return v.toFixed(scale);
  const [whole, frac = ''] = String(v).split('.');
  return scale ? `${whole}.${frac.padEnd(scale, '0').slice(0, scale)}` : whole!;
}

/** A stored value in the dialect-independent form backups hold (and content hashes cover). */
export function normaliseValue(kind: Kind, v: unknown, scale: number): unknown {
  if (v === null || v === undefined) return null;
  switch (kind) {
    case 'int':
    case 'bigint':
      return Number(v);
    case 'bool':
      return v === true || v === 1 || v === '1' || v === 'true';
    case 'date':
      return isoDate(v);
    case 'dateonly':
      return v instanceof Date ? v.toISOString().slice(0, 10) : String(v).slice(0, 10);
    case 'decimal':
      return decimalText(v, scale);
    default:
      return Buffer.isBuffer(v) ? v.toString('utf8') : String(v);
  }
}

// An integer as MySQL sends it: already the text JSON.stringify(Number(v)) gives.
const PLAIN_INT = /^-?(0|[1-9]\d{0,14})$/;

/** One value as JSON text: the same as JSON.stringify(normaliseValue(...)), without the detours. */
export function jsonValue(kind: Kind, v: unknown, scale: number): string {
  if (v === null || v === undefined) return 'null';
  switch (kind) {
    case 'int':
    case 'bigint':
      return typeof v === 'string' && PLAIN_INT.test(v) ? v : JSON.stringify(Number(v));
    // ISO dates and decimal text never need escaping.
    case 'date':
      return `"${isoDate(v)}"`;
    case 'decimal':
      return `"${decimalText(v, scale)}"`;
    default:
      return JSON.stringify(normaliseValue(kind, v, scale));
  }
}

/** A backup line's values in the form bulkInsert escapes correctly for the target dialect. */
export function insertValues(spec: TableSpec, row: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (let i = 0; i < spec.columns.length; i++) {
    const col = spec.columns[i]!;
    if (!(col in row)) continue;
    const v = row[col];
    out[col] = v !== null && spec.kinds[i] === 'date' ? new Date(v as string) : v;
  }
  return out;
}
