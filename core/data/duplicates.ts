import type { Transaction } from 'sequelize';
import type { Core } from '../context.js';
import type { PlannedRow } from './plan.js';
import { chunks, selectRows } from './sql.js';

/** A possible duplicate as the lookup returns it. */
export interface Candidate {
  id: number;
  code: string;
  name_norm: string;
  phone_hash: string | null;
}

/** Existing customers read into memory at most (about 20 MB of keys). */
const PRELOAD_MAX = 100_000;
/** Reading one existing customer costs about a fifth of looking one file row up by index. */
const PRELOAD_PER_ROW = 5;

const CANDIDATE = 'SELECT id, code, name_norm, phone_hash FROM customers';

/**
 * The duplicate rule of create for a whole file: existing (not deleted) customers with the same
 * phone or the same normalised name as a row to create. When the table is small next to the file
 * (a first import, say), its keys are read once and matched in memory, like a hash join; otherwise
 * each chunk is looked up by index. Both see the same snapshot and give the same matches.
 */
export class DuplicateFinder {
  private byName: Map<string, Candidate[]> | null = null;
  private byPhone: Map<string, Candidate[]> | null = null;

  constructor(
    private readonly core: Core,
    private readonly t: Transaction | null,
  ) {}

  /** Decides how to look up, from the number of rows the file says it has. */
  async prepare(fileRows: number): Promise<void> {
    const { sequelize } = this.core.models;
    const limit = Math.min(PRELOAD_MAX, fileRows * PRELOAD_PER_ROW);
    if (limit <= 0) return;
    const [count] = await selectRows<{ n: number }>(
      sequelize,
      'SELECT COUNT(*) AS n FROM (SELECT 1 FROM customers LIMIT ?) AS c',
      [limit + 1],
      this.t,
    );
    if (Number(count?.n) > limit) return;
    this.byName = new Map();
    this.byPhone = new Map();
    for (const c of await selectRows<Candidate>(sequelize, `${CANDIDATE} WHERE status <> 'deleted'`, [], this.t))
      this.remember(c);
  }

  /** Candidates for rows to create (from memory, or one index lookup per column and 500 keys). */
  async lookup(creates: PlannedRow[]): Promise<Candidate[]> {
    if (this.byName && this.byPhone) {
      const out: Candidate[] = [];
      for (const r of creates)
        out.push(
          ...(this.byName.get(r.nameNorm!) ?? []),
          ...(r.phoneHash ? (this.byPhone.get(r.phoneHash) ?? []) : []),
        );
      return out;
    }
    const { sequelize } = this.core.models;
    const names = [...new Set(creates.map((r) => r.nameNorm!))];
    const phones = [...new Set(creates.map((r) => r.phoneHash).filter((p): p is string => p !== null))];
    // One index lookup per column (an OR of two IN lists is planned as a slower index merge), all
    // sent before any answer is awaited. MariaDB is told the index: its statistics still describe
    // the table as it was before the import began, and for an empty table that means a full scan
    // of every row this import has added, once per chunk.
    const hint = (index: string) => (sequelize.getDialect() === 'mysql' ? ` FORCE INDEX (${index})` : '');
    const ask = (column: string, part: string[]) =>
      selectRows<Candidate>(
        sequelize,
        `${CANDIDATE}${hint(`customers_${column}`)} WHERE ${column} IN (?) AND status <> 'deleted'`,
        [part],
        this.t,
      );
    return (
      await Promise.all([
        ...chunks(names).map((p) => ask('name_norm', p)),
        ...chunks(phones).map((p) => ask('phone_hash', p)),
      ])
    ).flat();
  }

  /** Sets each row's `duplicates` (codes, phone matches first); customers this import created (`own`) do not count. */
  apply(creates: PlannedRow[], found: Candidate[], own: ReadonlySet<number>): void {
    if (!found.length) return;
    const byName = new Map<string, Candidate[]>();
    const byPhone = new Map<string, Candidate[]>();
    for (const c of found) {
      if (own.has(Number(c.id))) continue;
      byName.set(c.name_norm, [...(byName.get(c.name_norm) ?? []), c]);
      if (c.phone_hash) byPhone.set(c.phone_hash, [...(byPhone.get(c.phone_hash) ?? []), c]);
    }
    for (const r of creates) {
      const hits = [...(r.phoneHash ? (byPhone.get(r.phoneHash) ?? []) : []), ...(byName.get(r.nameNorm!) ?? [])];
      if (hits.length) r.duplicates = [...new Set(hits.map((c) => c.code))].slice(0, 20);
    }
  }

  private remember(c: Candidate): void {
    this.byName!.set(c.name_norm, [...(this.byName!.get(c.name_norm) ?? []), c]);
    if (c.phone_hash) this.byPhone!.set(c.phone_hash, [...(this.byPhone!.get(c.phone_hash) ?? []), c]);
  }
}
