import { col, literal, Op, where, type Sequelize, type WhereOptions } from 'sequelize';
import type { Customer, CustomerStatus } from '../../models/index.js';
import type { Actor, Core } from '../context.js';
import { assertCan } from '../permissions.js';
import { blindIndex } from '../privacy.js';
import { normalizeName, normalizePhone, toHalfWidth } from '../text.js';
import { resolveListFilters } from '../lists/customer-fields.js';
import { normalizeCode } from './codes.js';
import { toView, type CustomerView } from './view.js';
import { withLastOrders } from './last-order.js';
import { isDeleted, liveStatus } from './lifecycle.js';

export interface SearchQuery {
  /** Free text: a phone, a code (exact or prefix) or part of a name. */
  q?: string;
  code?: string;
  codePrefix?: string;
  name?: string;
  phone?: string;
  contact?: string;
  status?: CustomerStatus;
  ownerId?: number;
  /** 客户分类 / 区域 as stored (searchCustomers resolves names and aliases first). */
  category?: string;
  region?: string;
  includeDeleted?: boolean;
  page?: number;
  pageSize?: number;
}

export interface SearchPage {
  items: CustomerView[];
  total: number;
  page: number;
  pageSize: number;
}

/**
 * `column LIKE pattern ESCAPE '!'`: SQLite has no default escape character (MySQL's is a
 * backslash), so a name containing % or _ needs an explicit one to match on both.
 */
function like(
  sequelize: Sequelize,
  column: string,
  before: string,
  text: string,
  after: string,
): WhereOptions<Customer> {
  const escaped = text.replace(/[!%_]/g, (c) => `!${c}`);
  return where(
    col(column),
    Op.like,
    literal(`${sequelize.escape(`${before}${escaped}${after}`)} ESCAPE '!'`),
  ) as WhereOptions<Customer>;
}

/** The customer an old (merged) code now stands for: the alias table, by its unique code index. */
function aliasOf(core: Core, code: string): WhereOptions<Customer> {
  const { sequelize } = core.models;
  const q = (n: string) => sequelize.getQueryInterface().quoteIdentifier(n);
  return {
    id: {
      [Op.in]: literal(
        `(SELECT ${q('customer_id')} FROM ${q('customer_aliases')} WHERE ${q('code')} = ${sequelize.escape(normalizeCode(code))})`,
      ),
    },
  } as WhereOptions<Customer>;
}

/** Free text (`q`): the code exactly, an old code, a code prefix, part of the name, the contact, or a phone number. */
function freeTextWhere(core: Core, q: string): WhereOptions<Customer> {
  const { sequelize } = core.models;
  const digits = normalizePhone(q);
  const or: WhereOptions<Customer>[] = [
    { code: normalizeCode(q) },
    aliasOf(core, q),
    like(sequelize, 'code', '', normalizeCode(q), '%'),
    like(sequelize, 'name_norm', '%', normalizeName(q), '%'),
    { contact: q },
  ];
  if (/^\+?[\d\s-]{5,}$/.test(q) && digits.length >= 5) or.push({ phoneHash: blindIndex(core.keys, digits)! });
  return { [Op.or]: or };
}

/** The conditions on the code, name, phone and contact fields. */
function fieldWheres(core: Core, query: SearchQuery): WhereOptions<Customer>[] {
  const { sequelize } = core.models;
  const and: WhereOptions<Customer>[] = [];
  if (query.code) and.push({ [Op.or]: [{ code: normalizeCode(query.code) }, aliasOf(core, query.code)] });
  if (query.codePrefix) and.push(like(sequelize, 'code', '', normalizeCode(query.codePrefix), '%'));
  if (query.name) and.push(like(sequelize, 'name_norm', '%', normalizeName(query.name), '%'));
  if (query.phone) and.push({ phoneHash: blindIndex(core.keys, normalizePhone(query.phone)) ?? '' });
  if (query.contact) and.push({ contact: toHalfWidth(query.contact).trim() });
  return and;
}

/** The WHERE clause for a query; deleted customers are left out unless asked for. */
export function searchWhere(core: Core, query: SearchQuery): WhereOptions<Customer> {
  const and: WhereOptions<Customer>[] = [];
  if (query.status) and.push({ status: query.status });
  else if (!query.includeDeleted) and.push({ status: liveStatus() });
  if (query.ownerId) and.push({ ownerId: query.ownerId });
  if (query.category) and.push({ category: query.category });
  if (query.region) and.push({ region: query.region });
  and.push(...fieldWheres(core, query));
  const q = query.q ? toHalfWidth(query.q).trim() : '';
  if (q) and.push(freeTextWhere(core, q));
  return { [Op.and]: and };
}

/** Paged search by code (exact or prefix), name (normalised contains), phone (exact) or contact. */
export async function searchCustomers(core: Core, actor: Actor, query: SearchQuery): Promise<SearchPage> {
  assertCan(actor.operator, 'view');
  // Doors may pass query-string text; anything unusable falls back to the first page of 20.
  const pageSize = Math.min(Math.max(Math.trunc(Number(query.pageSize)) || 20, 1), 200);
  const page = Math.max(Math.trunc(Number(query.page)) || 1, 1);
  const lists = await resolveListFilters(core, { category: query.category, region: query.region });
  const { rows, count } = await core.models.Customer.findAndCountAll({
    where: searchWhere(core, { ...query, ...lists }),
    order: [['code', 'ASC']],
    limit: pageSize,
    offset: (page - 1) * pageSize,
  });
  await withLastOrders(core, rows);
  return { items: rows.map((r) => toView(core, r)), total: count, page, pageSize };
}

/** One customer by code, or null. Deleted ones only when asked. */
export async function getCustomer(
  core: Core,
  actor: Actor,
  code: string,
  opts: { includeDeleted?: boolean } = {},
): Promise<CustomerView | null> {
  assertCan(actor.operator, 'view');
  const row = await core.models.Customer.findOne({ where: { code: normalizeCode(code) } });
  if (!row || (isDeleted(row.status) && !opts.includeDeleted)) return null;
  await withLastOrders(core, [row]);
  return toView(core, row);
}
