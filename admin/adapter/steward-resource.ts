import { BaseRecord, type BaseProperty, type Filter } from 'adminjs';
import { Resource as SequelizeResource } from '@adminjs/sequelize';
import {
  Op,
  col,
  fn,
  literal,
  where,
  type FindAttributeOptions,
  type Model,
  type ModelStatic,
  type Order,
  type WhereOptions,
} from 'sequelize';

/** A filter value as AdminJS sends it: text, or a from/to range for dates. */
export type FilterValue = string | { from?: string; to?: string };
/** Turns one filter value into a WHERE clause (null: ignore it). */
export type FilterRule = (value: FilterValue) => WhereOptions | null;

export interface ResourceSpec<M extends Model> {
  /** Columns never read into the back office (password hashes, ciphertext blobs, snapshots). */
  skip?: string[];
  /** Columns read for `toParams` but not shown as properties (ciphertext, blind indexes). */
  hidden?: string[];
  /** Each filterable path and how it queries; paths not listed are ignored, never LIKE-scanned. */
  filters?: Record<string, FilterRule>;
  /** Sortable property → indexed column it orders by; anything else falls back to `defaultSort`. */
  sorts?: Record<string, string>;
  defaultSort?: [string, 'ASC' | 'DESC'];
  /** A condition added when a given filter is absent (e.g. hide deleted customers). */
  implicit?: (filters: Record<string, FilterValue>) => WhereOptions | null;
  /** The params the browser receives for a row (decrypt and mask here). */
  toParams?: (row: M) => Record<string, unknown>;
  /** Properties computed by SQL (`alias` names the model's table) instead of read from their column; sortable by it. */
  derived?: Record<string, { sql: (alias: string) => string; parse: (v: unknown) => unknown }>;
}

/**
 * A range filter on a date column (or on `sql`, a derived value): DATETIME bounds become Date
 * objects (each dialect formats them its own way), DATEONLY bounds stay 'YYYY-MM-DD' strings.
 * Unparseable bounds are ignored.
 */
export function rangeRule(column: string, kind: 'datetime' | 'date' = 'datetime', sql?: string): FilterRule {
  const bound = (v: string | undefined): Date | string | null => {
    if (!v || Number.isNaN(Date.parse(v))) return null;
    return kind === 'date' ? new Date(v).toISOString().slice(0, 10) : new Date(v);
  };
  return (value) => {
    if (typeof value !== 'object' || value === null) return null;
    const from = bound(value.from);
    const to = bound(value.to);
    const range: Record<symbol, Date | string> = {};
    if (from) range[Op.gte] = from;
    if (to) range[Op.lte] = to;
    if (!from && !to) return null;
    return sql ? (where(literal(sql), range) as WhereOptions) : { [column]: range };
  };
}

/** An exact-match filter on a column. */
export function exactRule(column: string, convert: (v: string) => unknown = (v) => v): FilterRule {
  return (value) => (typeof value === 'string' && value !== '' ? { [column]: convert(value) } : null);
}

/** A number-valued exact filter (ids); a non-number matches nothing instead of erroring. */
export function idRule(column: string): FilterRule {
  return exactRule(column, (v) => (/^\d+$/.test(v) ? Number(v) : -1));
}

/** A prefix match that an index on the column can serve. */
export function prefixRule(column: string, normalise: (v: string) => string = (v) => v.trim()): FilterRule {
  return (value) => {
    if (typeof value !== 'string' || !value.trim()) return null;
    return { [column]: { [Op.like]: `${normalise(value).replace(/[\\%_]/g, (c) => `\\${c}`)}%` } };
  };
}

/**
 * A match anywhere in a column (「销售」 finds 王销售), case-insensitive, with `%` and `_` taken as
 * typed: INSTR on both dialects, because SQLite's LIKE has no default escape character. It cannot
 * use an index, so only for small tables such as operators. `field` is the database column name.
 */
export function containsRule(field: string): FilterRule {
  return (value) => {
    if (typeof value !== 'string' || !value.trim()) return null;
    return where(fn('INSTR', fn('LOWER', col(field)), value.trim().toLowerCase()), Op.gt, 0);
  };
}

/**
 * The Sequelize adapter with the back office's rules: whitelisted filters and sorts (so every
 * list query runs on an index), secrets never read, and no generic writes at all: creating and
 * changing records goes through action handlers that call core.
 */
export class StewardResource<M extends Model = Model> extends SequelizeResource {
  readonly model: ModelStatic<M>;
  readonly spec: ResourceSpec<M>;

  constructor(model: ModelStatic<M>, spec: ResourceSpec<M> = {}) {
    super(model as never);
    this.model = model;
    this.spec = spec;
  }

  private get invisible(): Set<string> {
    return new Set([...(this.spec.skip ?? []), ...(this.spec.hidden ?? [])]);
  }

  override properties(): BaseProperty[] {
    const invisible = this.invisible;
    return super.properties().filter((p) => !invisible.has(p.name()));
  }

  override property(path: string): BaseProperty | null {
    return this.invisible.has(path) ? null : super.property(path);
  }

  private attributes(): FindAttributeOptions | undefined {
    const derived = Object.entries(this.spec.derived ?? {});
    if (!derived.length) return this.spec.skip?.length ? { exclude: this.spec.skip } : undefined;
    return {
      exclude: [...(this.spec.skip ?? []), ...derived.map(([k]) => k)],
      include: derived.map(([k, d]) => [literal(d.sql(this.model.name)), k]),
    };
  }

  /** Rows with their derived properties parsed (a literal's value comes back as the driver gives it). */
  private parsed(rows: M[]): M[] {
    for (const [k, d] of Object.entries(this.spec.derived ?? {}))
      for (const r of rows) r.setDataValue(k as never, d.parse(r.getDataValue(k as never)) as never);
    return rows;
  }

  /** The WHERE clause for AdminJS's filter, built only from whitelisted rules. */
  where(filter?: Filter | null): WhereOptions {
    const values: Record<string, FilterValue> = {};
    for (const [path, element] of Object.entries(filter?.filters ?? {})) values[path] = element.value as FilterValue;
    const and: WhereOptions[] = [];
    for (const [path, value] of Object.entries(values)) {
      const clause = this.spec.filters?.[path]?.(value);
      if (clause) and.push(clause);
    }
    const implicit = this.spec.implicit?.(values);
    if (implicit) and.push(implicit);
    return and.length ? { [Op.and]: and } : {};
  }

  private order(sort?: { sortBy?: string; direction?: 'asc' | 'desc' }): Order {
    const fallback = this.spec.defaultSort ?? [this.primaryKey(), 'DESC'];
    const column = sort?.sortBy ? this.spec.sorts?.[sort.sortBy] : undefined;
    if (!column) return [fallback];
    const direction = sort?.direction === 'desc' ? 'DESC' : 'ASC';
    const derived = this.spec.derived?.[column];
    if (derived)
      return [
        [literal(derived.sql(this.model.name)), direction],
        [this.primaryKey(), direction],
      ];
    // A tie-breaker keeps paging stable when the sort column repeats; on a unique column it is
    // left out, since MariaDB then stops using that column's index for `ORDER BY … LIMIT`.
    const unique = column === this.primaryKey() || Boolean(this.model.getAttributes()[column]?.unique);
    return unique
      ? [[column, direction]]
      : [
          [column, direction],
          [this.primaryKey(), direction],
        ];
  }

  /** The record AdminJS sees for a row. */
  toRecord(row: M): BaseRecord {
    if (this.spec.toParams) return new BaseRecord(this.spec.toParams(row), this);
    const plain = row.get({ plain: true }) as Record<string, unknown>;
    for (const key of this.invisible) delete plain[key];
    return new BaseRecord(plain, this);
  }

  override async count(filter: Filter): Promise<number> {
    return this.model.count({ where: this.where(filter) });
  }

  override async find(
    filter: Filter,
    {
      limit = 20,
      offset = 0,
      sort = {},
    }: { limit?: number; offset?: number; sort?: { sortBy?: string; direction?: 'asc' | 'desc' } } = {},
  ): Promise<BaseRecord[]> {
    const rows = await this.model.findAll({
      where: this.where(filter),
      limit,
      offset,
      order: this.order(sort),
      attributes: this.attributes(),
    });
    return this.parsed(rows).map((r) => this.toRecord(r));
  }

  override async findOne(id: string | number): Promise<BaseRecord | null> {
    const row = await this.model.findByPk(id, { attributes: this.attributes() });
    return row ? this.toRecord(this.parsed([row])[0]!) : null;
  }

  override async findMany(ids: (string | number)[]): Promise<BaseRecord[]> {
    const rows = await this.model.findAll({
      where: { [this.primaryKey()]: { [Op.in]: ids } } as WhereOptions,
      attributes: this.attributes(),
    });
    return this.parsed(rows).map((r) => this.toRecord(r));
  }

  override async create(): Promise<Record<string, unknown>> {
    throw new Error(`${this.id()}: generic create is disabled; the action handler must call core`);
  }

  override async update(): Promise<Record<string, unknown>> {
    throw new Error(`${this.id()}: generic update is disabled; the action handler must call core`);
  }

  override async delete(): Promise<void> {
    throw new Error(`${this.id()}: generic delete is disabled; the action handler must call core`);
  }
}
