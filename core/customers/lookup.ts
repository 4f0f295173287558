import type { Sequelize } from 'sequelize';
import type { Customer } from '../../models/index.js';
import type { Actor, Core } from '../context.js';
import { asDate, readPooled, type JoinedRead } from '../data/sql.js';
import { assertCan } from '../permissions.js';
import { normalizeCode } from './codes.js';
import { lastOrderSql } from './last-order.js';
import { toView, type CustomerView } from './view.js';
import { isDeleted } from './lifecycle.js';

/** What a chat lookup by exact code finds: the customer (following a merge) and its owner's name. */
export interface CodeLookup {
  /** The live customer's code (the survivor's, when the code asked for was merged). */
  code: string;
  /** The (normalised) code asked for, when it is a merged customer's code; else null. */
  mergedFrom: string | null;
  /** Null when the customer found is deleted: the caller falls back to a search. */
  view: CustomerView | null;
  ownerName: string | null;
}

type Row = Record<string, unknown>;

interface Statements {
  byCode: string;
  byAlias: string;
  /** The by-code read as a JoinedRead's text (its values are the code). */
  joined: Omit<JoinedRead, 'values'>;
}

const statements = new WeakMap<Sequelize, Statements>();

const WRITERS_ONLY = new Set(['nameNorm', 'phoneHash', 'codeOrigin', 'codeScope', 'codeSeq']);

/**
 * The customer by code, and the survivor a merged code stands for (through the alias table), each
 * with its owner's name in the same statement. Columns are aliased to attribute names, so the rows
 * read like the model's.
 */
function statement(core: Core): Statements {
  const { sequelize, Customer: model } = core.models;
  const cached = statements.get(sequelize);
  if (cached) return cached;
  const q = (n: string) => sequelize.getQueryInterface().quoteIdentifier(n);
  // 最近下单 is derived from the orders (last-order.ts), one index read more.
  const column = (t: string, attr: string, field: string) =>
    attr === 'lastOrderAt' ? lastOrderSql(sequelize, t) : `${t}.${q(field)}`;
  // Not the columns only writers use (search key, phone hash, code bookkeeping): a lookup reads
  // this row on every chat message, and each column is metadata to send and parse again.
  const cols = (t: string, prefix: string) =>
    Object.entries(model.getAttributes())
      .filter(([attr]) => !WRITERS_ONLY.has(attr))
      .map(([attr, a]) => `${column(t, attr, a.field ?? attr)} AS ${q(prefix + attr)}`)
      .join(', ');
  const select = `SELECT ${cols('c', '')}, o.${q('display_name')} AS ${q('ownerName')}`;
  const owner = `LEFT JOIN ${q('operators')} o ON o.${q('id')} = c.${q('owner_id')}`;
  const made: Statements = {
    byCode: `${select} FROM ${q('customers')} c ${owner} WHERE c.${q('code')} = ?`,
    byAlias: `${select} FROM ${q('customer_aliases')} a JOIN ${q('customers')} c ON c.${q('id')} = a.${q('customer_id')} ${owner} WHERE a.${q('code')} = ?`,
    joined: {
      joins: `LEFT JOIN ${q('customers')} rc ON rc.${q('code')} = ? LEFT JOIN ${q('operators')} ro ON ro.${q('id')} = rc.${q('owner_id')}`,
      columns: `${cols('rc', 'r.')}, ro.${q('display_name')} AS ${q('r.ownerName')}`,
      found: `rc.${q('id')}`,
    },
  };
  statements.set(sequelize, made);
  return made;
}

/** The by-code read of lookupByCode, to be sent along another query (the chat's speaker check). */
export function codeRead(core: Core, rawCode: string): JoinedRead {
  return { ...statement(core).joined, values: [normalizeCode(rawCode)] };
}

function asCustomer(r: Row): Customer {
  return {
    ...r,
    deactivatedAt: asDate(r.deactivatedAt),
    lastOrderAt: asDate(r.lastOrderAt),
    createdAt: asDate(r.createdAt),
    updatedAt: asDate(r.updatedAt),
    reactivateOn: r.reactivateOn === null || r.reactivateOn === undefined ? null : String(r.reactivateOn).slice(0, 10),
  } as unknown as Customer;
}

/**
 * One customer by exact code for a chat lookup, as followCode would find it: an old code of a
 * merged customer leads to its survivor. One raw SELECT on a pooled connection (readPooled) for a
 * live code, or none when `read` carries what codeRead found. Null when the code is unknown.
 */
export async function lookupByCode(
  core: Core,
  actor: Actor,
  rawCode: string,
  read?: Row | null,
): Promise<CodeLookup | null> {
  assertCan(actor.operator, 'view');
  const code = normalizeCode(rawCode);
  const sql = statement(core);
  const direct =
    read === undefined ? (await readPooled<Row>(core.models.sequelize, sql.byCode, [code]))[0] : (read ?? undefined);
  // As followCode: a live row is itself; a merged code (or an unknown one) may be an alias of a
  // survivor: a second read, only for old codes and misses.
  const survivor =
    direct && !direct.mergedInto ? undefined : (await readPooled<Row>(core.models.sequelize, sql.byAlias, [code]))[0];
  const [row, mergedFrom] = survivor ? [survivor, code] : [direct, null];
  if (!row) return null;
  const customer = asCustomer(row);
  const ownerName = (row.ownerName as string | null | undefined) ?? null;
  return {
    code: customer.code,
    mergedFrom,
    view: isDeleted(customer.status) ? null : toView(core, customer),
    ownerName,
  };
}
