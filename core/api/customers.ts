import { Op, type WhereOptions } from 'sequelize';
import type { Customer, CustomerStatus } from '../../models/index.js';
import type { Actor, Core } from '../context.js';
import { validationError } from '../errors.js';
import { assertCan } from '../permissions.js';
import { toApiCustomer, type ApiCustomer } from '../customers/api-view.js';
import { withLastOrders } from '../customers/last-order.js';
import { normalizeCode } from '../customers/codes.js';
import { searchWhere } from '../customers/search.js';
import { customerNotFound } from '../customers/view.js';
import { followCode } from '../customers/merge/aliases.js';
import { resolveListFilters } from '../lists/customer-fields.js';

export interface CustomerListQuery {
  status?: CustomerStatus;
  /** An operator id, or an operator's display name. */
  owner?: string;
  /** 客户分类 / 区域: a name or alias from the company's lists. */
  category?: string;
  region?: string;
  /** ISO time: only customers changed at or after it. */
  updatedSince?: string;
  limit?: number;
  /** The nextCursor of the previous page. */
  cursor?: string;
}

export interface CustomerListPage {
  items: ApiCustomer[];
  /** Pass as `cursor` for the next page; null on the last page. */
  nextCursor: string | null;
}

/** An opaque cursor: the last row's (updatedAt, id), the order pages are read in. */
function encodeCursor(c: Customer): string {
  return Buffer.from(JSON.stringify([c.updatedAt.getTime(), c.id])).toString('base64url');
}

function decodeCursor(raw: string): { at: Date; id: number } {
  try {
    const [ms, id] = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8')) as [unknown, unknown];
    if (Number.isInteger(ms) && Number.isInteger(id)) return { at: new Date(ms as number), id: id as number };
  } catch {
    // falls through to the refusal
  }
  throw validationError([{ field: 'cursor', message: '分页游标 cursor 无效: 请原样使用上一页返回的 nextCursor' }]);
}

/** An existing operator's id from an id or a display name; 422 naming `field` otherwise. */
export async function ownerId(core: Core, owner: string): Promise<number> {
  const text = owner.trim();
  if (/^\d+$/.test(text)) {
    const id = Number(text);
    if (id >= 1 && (await core.models.Operator.count({ where: { id } }))) return id;
    throw validationError([{ field: 'owner', message: `没有 id 为 ${text} 的负责人: 请用操作员的 id 或显示名` }]);
  }
  const op = await core.models.Operator.findOne({ where: { displayName: text }, attributes: ['id'] });
  if (!op) throw validationError([{ field: 'owner', message: `找不到负责人「${text}」: 请用操作员的 id 或显示名` }]);
  return op.id;
}

/** Owner display names for a page of customers, in one query. */
async function ownerNames(core: Core, rows: Customer[]): Promise<Map<number, string>> {
  const ids = [...new Set(rows.map((r) => r.ownerId).filter((x): x is number => x !== null))];
  if (!ids.length) return new Map();
  const ops = await core.models.Operator.findAll({ where: { id: ids }, attributes: ['id', 'displayName'] });
  return new Map(ops.map((o) => [o.id, o.displayName]));
}

/**
 * Customers in the order they last changed (then id), for systems that sync: filter by status,
 * owner, category and updatedSince; keyset pages of up to 200 with an opaque cursor.
 */
export async function listCustomersForApi(core: Core, actor: Actor, q: CustomerListQuery): Promise<CustomerListPage> {
  assertCan(actor.operator, 'view');
  const limit = Math.min(Math.max(Math.trunc(q.limit ?? 50), 1), 200);
  const and: WhereOptions<Customer>[] = [
    searchWhere(core, { status: q.status, ownerId: q.owner !== undefined ? await ownerId(core, q.owner) : undefined }),
  ];
  const lists = await resolveListFilters(core, { category: q.category, region: q.region });
  if (lists.category !== undefined) and.push({ category: lists.category });
  if (lists.region !== undefined) and.push({ region: lists.region });
  if (q.updatedSince !== undefined) {
    const since = new Date(q.updatedSince);
    if (Number.isNaN(since.getTime()))
      throw validationError([
        { field: 'updatedSince', message: 'updatedSince 应为 ISO 8601 时间, 例如 2026-12-01T00:00:00+08:00' },
      ]);
    // Whole seconds: MariaDB keeps no milliseconds, and a sync must not miss a change made in the same second.
    and.push({ updatedAt: { [Op.gte]: new Date(Math.floor(since.getTime() / 1000) * 1000) } });
  }
  if (q.cursor) {
    const { at, id } = decodeCursor(q.cursor);
    and.push({ [Op.or]: [{ updatedAt: { [Op.gt]: at } }, { updatedAt: at, id: { [Op.gt]: id } }] });
  }
  const rows = await core.models.Customer.findAll({
    where: { [Op.and]: and },
    order: [
      ['updatedAt', 'ASC'],
      ['id', 'ASC'],
    ],
    limit: limit + 1,
  });
  const page = await withLastOrders(core, rows.slice(0, limit));
  const names = await ownerNames(core, page);
  return {
    items: page.map((r) => toApiCustomer(core, r, r.ownerId ? (names.get(r.ownerId) ?? null) : null)),
    nextCursor: rows.length > limit ? encodeCursor(page[page.length - 1]!) : null,
  };
}

/** One customer by code as the API shows it, deleted ones included (their status says so); a merged code answers with its survivor. */
export async function getCustomerForApi(core: Core, actor: Actor, rawCode: string): Promise<ApiCustomer> {
  assertCan(actor.operator, 'view');
  const code = normalizeCode(rawCode);
  const row = (await followCode(core, code))?.customer;
  if (!row) throw customerNotFound(code);
  await withLastOrders(core, [row]);
  const names = await ownerNames(core, [row]);
  return toApiCustomer(core, row, row.ownerId ? (names.get(row.ownerId) ?? null) : null);
}

/**
 * A customer's owner must be an operator that exists (core's create and edit take the id as given,
 * since the back office offers only existing people; a system can send any number).
 */
export async function assertOwnerExists(core: Core, id: number | null | undefined): Promise<void> {
  if (id === null || id === undefined) return;
  if (await core.models.Operator.count({ where: { id } })) return;
  throw validationError([
    { field: 'ownerId', message: `负责人 #${id} 不存在: 请用操作员的 id (GET /customers 返回的 owner.id)` },
  ]);
}
