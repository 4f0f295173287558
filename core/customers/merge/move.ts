import { QueryTypes, type Transaction } from 'sequelize';
import type { Core } from '../../context.js';
import { isMysql, selectRows } from '../../data/sql.js';
import { asDate } from '../../data/sql.js';

/** A table whose rows belong to a customer, and how a merge moves them. */
export interface MovedTable {
  table: string;
  /** The column naming the customer (customer_id, or merged_into for earlier tombstones). */
  column: string;
  /** What a person calls these rows, for the pre-check. */
  label: string;
  /** Rows people edit carry updated_at: undo refuses if one changed after the merge. */
  stamped?: boolean;
  /** Rows that also carry the customer's code, kept in step with the id. */
  withCode?: boolean;
  /** The column a person recognises a row by (order numbers), for undo's refusal. */
  number?: string;
}

/** Everything that references a customer and moves to the survivor. History stays put: the audit
 * trail, deletion checks, recycle entries and approval requests keep naming the absorbed customer. */
export const MOVED_TABLES: readonly MovedTable[] = [
  { table: 'sales_orders', column: 'customer_id', label: '订单', stamped: true, number: 'number' },
  { table: 'receivables', column: 'customer_id', label: '应收', stamped: true, number: 'number' },
  { table: 'reservations', column: 'customer_id', label: '库存预留', stamped: true, number: 'number' },
  { table: 'customer_keeps', column: 'customer_id', label: '复核「保留」记录', withCode: true },
  { table: 'import_rows', column: 'customer_id', label: '导入结果' },
  { table: 'ledger_events', column: 'customer_id', label: '单据变动记录' },
  { table: 'jsherp_links', column: 'customer_id', label: 'jshERP 关联', withCode: true },
  { table: 'customer_aliases', column: 'customer_id', label: '旧编码 (别名)' },
  { table: 'customers', column: 'merged_into', label: '此前并入的客户' },
];

/** Per table: [row id, the absorbed customer it came from, updated_at in ms (stamped tables)]. */
export type MovedRows = Record<string, Array<[number, number, number?]>>;

const q = (core: Core, name: string) => core.models.sequelize.getQueryInterface().quoteIdentifier(name);

/** Rows per table and absorbed customer: what the pre-check shows. */
export async function countReferences(
  core: Core,
  ids: number[],
  t?: Transaction,
): Promise<Map<string, Map<number, number>>> {
  const out = new Map<string, Map<number, number>>();
  for (const m of MOVED_TABLES) {
    const col = q(core, m.column);
    const rows = await core.models.sequelize.query<{ c: number; n: number | string }>(
      `SELECT ${col} AS c, COUNT(*) AS n FROM ${q(core, m.table)} WHERE ${col} IN (:ids) GROUP BY ${col}`,
      { replacements: { ids }, type: QueryTypes.SELECT, transaction: t },
    );
    out.set(m.table, new Map(rows.map((r) => [Number(r.c), Number(r.n)])));
  }
  return out;
}

/**
 * Moves every reference from `from` to `keep` inside `t` and returns exactly which rows moved.
 * One UPDATE per table, keyed by the customer column (indexed), after a locking read of the ids.
 */
export async function moveReferences(
  core: Core,
  t: Transaction,
  from: number[],
  keep: { id: number; code: string },
): Promise<MovedRows> {
  const { sequelize } = core.models;
  const lock = isMysql(sequelize) ? ' FOR UPDATE' : '';
  const moved: MovedRows = {};
  for (const m of MOVED_TABLES) {
    const col = q(core, m.column);
    const stamp = m.stamped ? `, ${q(core, 'updated_at')} AS u` : '';
    const rows = await selectRows<{ id: number; c: number; u?: unknown }>(
      sequelize,
      `SELECT ${q(core, 'id')} AS id, ${col} AS c${stamp} FROM ${q(core, m.table)} WHERE ${col} IN (?)${lock}`,
      [from],
      t,
    );
    if (!rows.length) continue;
    moved[m.table] = rows.map((r) =>
      m.stamped ? [Number(r.id), Number(r.c), asDate(r.u)?.getTime() ?? 0] : [Number(r.id), Number(r.c)],
    );
    const setCode = m.withCode ? `, ${q(core, 'customer_code')} = :code` : '';
    await sequelize.query(`UPDATE ${q(core, m.table)} SET ${col} = :keep${setCode} WHERE ${col} IN (:from)`, {
      replacements: { keep: keep.id, code: keep.code, from },
      transaction: t,
    });
  }
  return moved;
}

/** Something that makes an undo unsafe, in words a person can check. */
export interface UndoBlocker {
  table: string;
  text: string;
}

/** Moved rows that no longer sit with the survivor, or (stamped tables) were edited after the merge. */
export async function undoBlockers(
  core: Core,
  t: Transaction,
  moved: MovedRows,
  keepId: number,
): Promise<UndoBlocker[]> {
  const out: UndoBlocker[] = [];
  for (const m of MOVED_TABLES) {
    const list = moved[m.table];
    if (!list?.length) continue;
    const recorded = new Map(list.map(([id, , u]) => [id, u]));
    const number = m.number ? `, ${q(core, m.number)} AS num` : '';
    const stamp = m.stamped ? `, ${q(core, 'updated_at')} AS u` : '';
    const ids = [...recorded.keys()];
    const found = new Map<number, { c: number; u?: unknown; num?: string }>();
    for (let i = 0; i < ids.length; i += 5000) {
      const part = ids.slice(i, i + 5000);
      const rows = await selectRows<{ id: number; c: number; u?: unknown; num?: string }>(
        core.models.sequelize,
        `SELECT ${q(core, 'id')} AS id, ${q(core, m.column)} AS c${stamp}${number} FROM ${q(core, m.table)} WHERE ${q(core, 'id')} IN (?)`,
        [part],
        t,
      );
      for (const r of rows) found.set(Number(r.id), r);
    }
    const gone = ids.filter((id) => !found.has(id) || Number(found.get(id)!.c) !== keepId);
    const edited = m.stamped
      ? ids.filter((id) => found.has(id) && (asDate(found.get(id)!.u)?.getTime() ?? 0) !== recorded.get(id))
      : [];
    const name = (id: number) => found.get(id)?.num ?? `#${id}`;
    const sample = (xs: number[]) =>
      `${xs.slice(0, 5).map(name).join('、')}${xs.length > 5 ? ` 等 ${xs.length} 条` : ''}`;
    if (gone.length)
      out.push({ table: m.table, text: `${m.label} ${sample(gone)} 已不在保留客户名下 (被删除或改到别的客户)` });
    if (edited.length) out.push({ table: m.table, text: `${m.label} ${sample(edited)} 在合并后被修改过` });
  }
  return out;
}

/** Puts every moved row back with the customer it came from (and its code where the table keeps one). */
export async function moveBack(
  core: Core,
  t: Transaction,
  moved: MovedRows,
  codes: Map<number, string>,
): Promise<void> {
  const { sequelize } = core.models;
  for (const m of MOVED_TABLES) {
    const list = moved[m.table];
    if (!list?.length) continue;
    const byOwner = new Map<number, number[]>();
    for (const [id, from] of list) {
      const ids = byOwner.get(from);
      if (ids) ids.push(id);
      else byOwner.set(from, [id]);
    }
    for (const [from, ids] of byOwner) {
      const setCode = m.withCode ? `, ${q(core, 'customer_code')} = :code` : '';
      for (let i = 0; i < ids.length; i += 5000) {
        await sequelize.query(
          `UPDATE ${q(core, m.table)} SET ${q(core, m.column)} = :from${setCode} WHERE ${q(core, 'id')} IN (:ids)`,
          { replacements: { from, code: codes.get(from) ?? '', ids: ids.slice(i, i + 5000) }, transaction: t },
        );
      }
    }
  }
}
