import type { Core } from '../../context.js';
import { chunks, selectRows } from '../../data/sql.js';
import { isDeleted } from '../lifecycle.js';

/** Why two customers look like one: the same phone (blind index), normalised name, or a merged-in customer's name or phone. */
export type DuplicateSignal = 'phone' | 'name' | 'alias';

export const SIGNAL_LABELS: Record<DuplicateSignal, string> = {
  phone: '同手机',
  name: '同名称',
  alias: '与已并入的客户相同',
};

/** One customer of a pair, as people see it (no phone: the signal says it matched, never what). */
export interface PairSide {
  id: number;
  code: string;
  name: string;
  status: string;
  ownerId: number | null;
  /** The owner's display name, or null when unassigned. */
  owner: string | null;
}

/** Two live customers that may be one; `a` is the older (smaller id). */
export interface DuplicatePair {
  /** `<a.id>-<b.id>`, as duplicate_dismissals stores it. */
  key: string;
  a: PairSide;
  b: PairSide;
  signals: DuplicateSignal[];
}

/** A phone or name shared by too many customers to list as pairs (a switchboard, 散客). */
export interface Crowd {
  signal: 'phone' | 'name';
  size: number;
  codes: string[];
}

export interface DuplicateScan {
  pairs: DuplicatePair[];
  crowds: Crowd[];
  /** Pairs left out because someone dismissed them. */
  dismissed: number;
}

export interface ScanScope {
  /** Only pairs with this customer. */
  customerId?: number;
  /** Only pairs where either side is this operator's customer. */
  ownerId?: number;
  /** Keep dismissed pairs (to show one that was dismissed); they still count in `dismissed`. */
  includeDismissed?: boolean;
}

/** More customers than this sharing one key are a crowd, not pairs (n² pairs would bury the real ones). */
export const MAX_GROUP = 20;

const COLUMNS = { phone: 'phone_hash', name: 'name_norm' } as const;

interface Row {
  id: number;
  code: string;
  name: string;
  status: string;
  owner_id: number | null;
  name_norm: string;
  phone_hash: string | null;
}

const ROW = 'SELECT id, code, name, status, owner_id, name_norm, phone_hash FROM customers';

/** The pair key of two customer ids, whichever order they come in. */
export function pairKey(x: number, y: number): string {
  return x < y ? `${x}-${y}` : `${y}-${x}`;
}

/**
 * Keys (name_norm or phone_hash) held by more than one customer. The GROUP BY reads only the
 * column's own index (deleted customers included, so no row is visited); members are then
 * fetched by key, and the live ones decide.
 */
async function sharedKeys(core: Core, column: string, only: Row | null): Promise<string[]> {
  if (only) {
    const v = only[column as keyof Row];
    return typeof v === 'string' && v ? [v] : [];
  }
  const { sequelize } = core.models;
  const hint = sequelize.getDialect() === 'mysql' ? ` FORCE INDEX (customers_${column})` : '';
  const rows = await selectRows<{ k: string }>(
    sequelize,
    `SELECT ${column} AS k FROM customers${hint} WHERE ${column} IS NOT NULL GROUP BY ${column} HAVING COUNT(*) > 1`,
    [],
  );
  return rows.map((r) => r.k);
}

async function membersOf(core: Core, column: string, keys: string[]): Promise<Map<string, Row[]>> {
  const groups = new Map<string, Row[]>();
  for (const part of chunks(keys)) {
    const rows = await selectRows<Row>(core.models.sequelize, `${ROW} WHERE ${column} IN (?) AND status <> 'deleted'`, [
      part,
    ]);
    for (const r of rows) {
      const k = r[column as 'name_norm'] as string;
      groups.set(k, [...(groups.get(k) ?? []), r]);
    }
  }
  return groups;
}

/**
 * Live customers whose name or phone is that of a customer merged into another live one: the
 * merge made it an old name (alias) of the survivor. Driven by customer_aliases, index lookups only.
 */
async function aliasMatches(core: Core, only: Row | null): Promise<Array<{ x: number; s: number }>> {
  const scope = only ? ' AND (x.id = ? OR s.id = ?)' : '';
  const values = only ? [only.id, only.id] : [];
  const part = (column: string) => `SELECT x.id AS x, s.id AS s FROM customer_aliases a
    JOIN customers t ON t.code = a.code JOIN customers s ON s.id = a.customer_id
    JOIN customers x ON x.${column} = t.${column}
    WHERE t.merged_into IS NOT NULL AND t.${column} IS NOT NULL AND s.status <> 'deleted' AND x.status <> 'deleted' AND x.id <> s.id${scope}`;
  const { sequelize } = core.models;
  return [
    ...(await selectRows<{ x: number; s: number }>(sequelize, part('name_norm'), values)),
    ...(await selectRows<{ x: number; s: number }>(sequelize, part('phone_hash'), values)),
  ];
}

async function rowsById(core: Core, ids: number[]): Promise<Row[]> {
  const out: Row[] = [];
  for (const part of chunks(ids))
    out.push(...(await selectRows<Row>(core.models.sequelize, `${ROW} WHERE id IN (?)`, [part])));
  return out;
}

async function ownerNames(core: Core, rows: Iterable<Row>): Promise<Map<number, string>> {
  const ids = [...new Set([...rows].map((r) => r.owner_id).filter((v): v is number => v !== null))];
  if (!ids.length) return new Map();
  const ops = await core.models.Operator.findAll({ where: { id: ids }, attributes: ['id', 'displayName'] });
  return new Map(ops.map((o) => [o.id, o.displayName]));
}

const ORDER: DuplicateSignal[] = ['phone', 'name', 'alias'];

/** Strongest first: more signals, then a shared phone, then by code. */
function rank(x: DuplicatePair, y: DuplicatePair): number {
  return (
    y.signals.length - x.signals.length ||
    ORDER.indexOf(x.signals[0]!) - ORDER.indexOf(y.signals[0]!) ||
    x.a.code.localeCompare(y.a.code) ||
    x.b.code.localeCompare(y.b.code)
  );
}

/** What the scan matched before sides are named: the customers, the signals per pair key, and the crowds. */
interface Matches {
  rows: Map<number, Row>;
  signals: Map<string, Set<DuplicateSignal>>;
  crowds: Crowd[];
}

function addSignal(m: Matches, x: number, y: number, signal: DuplicateSignal): void {
  const key = pairKey(x, y);
  m.signals.set(key, (m.signals.get(key) ?? new Set()).add(signal));
}

/** Same phone, same name: every pair inside a shared key's group, or one crowd when the group is too big. */
async function addKeyMatches(core: Core, only: Row | null, m: Matches): Promise<void> {
  for (const signal of ['phone', 'name'] as const) {
    const column = COLUMNS[signal];
    for (const members of (await membersOf(core, column, await sharedKeys(core, column, only))).values()) {
      if (members.length < 2) continue;
      if (members.length > MAX_GROUP) {
        m.crowds.push({ signal, size: members.length, codes: members.slice(0, 5).map((r) => r.code) });
        continue;
      }
      for (const r of members) m.rows.set(r.id, r);
      for (let i = 0; i < members.length; i++) {
        for (let j = i + 1; j < members.length; j++) addSignal(m, members[i]!.id, members[j]!.id, signal);
      }
    }
  }
}

/** Matches with a merged-in customer's name or phone, fetching the customers not met yet. */
async function addAliasMatches(core: Core, only: Row | null, m: Matches): Promise<void> {
  const aliases = await aliasMatches(core, only);
  for (const { x, s } of aliases) addSignal(m, Number(x), Number(s), 'alias');
  const missing = [...new Set(aliases.flatMap(({ x, s }) => [Number(x), Number(s)]))].filter((id) => !m.rows.has(id));
  for (const r of await rowsById(core, missing)) m.rows.set(r.id, r);
}

/** Turns a row into a pair side, with its owner's name. */
async function sideMaker(core: Core, rows: Iterable<Row>): Promise<(r: Row) => PairSide> {
  const owners = await ownerNames(core, rows);
  return (r: Row): PairSide => ({
    id: Number(r.id),
    code: r.code,
    name: r.name,
    status: r.status,
    ownerId: r.owner_id === null ? null : Number(r.owner_id),
    owner: r.owner_id === null ? null : (owners.get(Number(r.owner_id)) ?? null),
  });
}

/** The matched pairs within the scope (dismissed ones counted, and kept only when asked). */
function scopedPairs(
  m: Matches,
  only: Row | null,
  scope: ScanScope,
  dismissedKeys: Set<string>,
  side: (r: Row) => PairSide,
): { pairs: DuplicatePair[]; dismissed: number } {
  let dismissed = 0;
  const pairs: DuplicatePair[] = [];
  for (const [key, set] of m.signals) {
    const [x, y] = key.split('-').map(Number) as [number, number];
    if (only && x !== only.id && y !== only.id) continue;
    const a = m.rows.get(x);
    const b = m.rows.get(y);
    if (!a || !b) continue;
    if (dismissedKeys.has(key)) {
      dismissed++;
      if (!scope.includeDismissed) continue;
    }
    const pair = { key, a: side(a), b: side(b), signals: ORDER.filter((s) => set.has(s)) };
    if (scope.ownerId !== undefined && pair.a.ownerId !== scope.ownerId && pair.b.ownerId !== scope.ownerId) continue;
    pairs.push(pair);
  }
  return { pairs, dismissed };
}

/**
 * 疑似重复: pairs of live (not deleted) customers with the same phone, the same normalised name,
 * or a match with a customer merged into the other. Merged customers are tombstones (deleted), so
 * a merged pair cannot come back; dismissed pairs are left out. Index-backed: one GROUP BY per
 * signal over its index, then lookups by key.
 */
export async function findDuplicatePairs(core: Core, scope: ScanScope = {}): Promise<DuplicateScan> {
  const only = scope.customerId ? ((await rowsById(core, [scope.customerId]))[0] ?? null) : null;
  if (scope.customerId && (!only || isDeleted(only.status))) return { pairs: [], crowds: [], dismissed: 0 };
  const m: Matches = { rows: new Map(), signals: new Map(), crowds: [] };
  await addKeyMatches(core, only, m);
  await addAliasMatches(core, only, m);
  const dismissedKeys = new Set(
    (await core.models.DuplicateDismissal.findAll({ attributes: ['pairKey'] })).map((d) => d.pairKey),
  );
  const side = await sideMaker(core, m.rows.values());
  const { pairs, dismissed } = scopedPairs(m, only, scope, dismissedKeys, side);
  return { pairs: pairs.sort(rank), crowds: m.crowds, dismissed };
}
