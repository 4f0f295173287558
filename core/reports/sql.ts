import { QueryTypes, type Transaction } from 'sequelize';
import type { Core } from '../context.js';
import type { Cents } from '../money.js';

/** Order statuses that count as sales (drafts and cancellations do not). */
export const SALES_STATUSES = ['confirmed', 'shipped', 'completed'] as const;

/**
 * A DECIMAL column as integer cents inside SQL. Summing rounded cents is exact on both
 * dialects: MySQL sums DECIMALs, and SQLite sums integral doubles well below 2^53.
 */
export function centsOf(column: string): string {
  return `ROUND(${column} * 100)`;
}

/** A summed-cents value from either driver (DECIMAL string, number or null) as Cents. */
export function asCents(value: unknown): Cents {
  if (value === null || value === undefined) return 0;
  const n = Number(value);
  if (!Number.isFinite(n) || !Number.isSafeInteger(Math.round(n))) throw new Error(`not a cents sum: ${String(value)}`);
  return Math.round(n);
}

/** A COUNT/SUM value as a number (MySQL returns big integers as strings). */
export function asCount(value: unknown): number {
  return value === null || value === undefined ? 0 : Number(value);
}

/** Runs a read-only SELECT with named replacements. */
export async function select<T extends object>(
  core: Core,
  sql: string,
  replacements: Record<string, unknown>,
  transaction?: Transaction,
): Promise<T[]> {
  return core.models.sequelize.query<T>(sql, { replacements, type: QueryTypes.SELECT, transaction });
}
