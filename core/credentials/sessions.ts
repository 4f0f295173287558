import crypto from 'node:crypto';
import { QueryTypes, type Transaction } from 'sequelize';
import { withTransaction } from '../../models/tx.js';
import type { Core } from '../context.js';

/** What a session must still match: the password, the roles and the active flag it was granted under. */
export function credentialStamp(op: { passwordHash: string | null; roles: string; active: boolean }): string {
  return crypto
    .createHash('sha256')
    .update(`${op.passwordHash ?? ''}|${op.roles}|${op.active ? 1 : 0}`)
    .digest('hex');
}

/** The stored form of a session id: a database dump holds no usable cookie. */
export function sessionIdHash(sid: string): string {
  return crypto.createHash('sha256').update(sid).digest('hex');
}

/** Ends every back-office session of an operator (logout, password reset, restore); returns how many. */
export async function endSessions(core: Core, operatorId: number, t?: Transaction): Promise<number> {
  return core.models.sequelize.query('DELETE FROM admin_sessions WHERE operator_id = :operatorId', {
    replacements: { operatorId },
    transaction: t,
    type: QueryTypes.BULKDELETE,
  });
}

/** Ends every back-office session of everyone (after a whole-database restore ids may name other people). */
export async function endAllSessions(core: Core, t?: Transaction): Promise<void> {
  await core.models.sequelize.query('DELETE FROM admin_sessions', { transaction: t });
}

/** How many sessions an operator has open (for the back office and tests). */
export async function openSessions(core: Core, operatorId: number): Promise<number> {
  const [row] = await core.models.sequelize.query<{ n: number }>(
    'SELECT COUNT(*) AS n FROM admin_sessions WHERE operator_id = :operatorId AND expires_at > :now',
    {
      replacements: { operatorId, now: core.now().getTime() },
      type: QueryTypes.SELECT,
    },
  );
  return Number(row?.n ?? 0);
}

export type SessionRow = { sidHash: string; operatorId: number; data: string; expiresAt: number };

/**
 * Writes the row of a session a login has just granted. AdminJS saves a new session twice,
 * concurrently, so this is an upsert; on MariaDB two upserts of one key can deadlock, so it runs
 * as a transaction that is retried on a lock conflict instead of failing the login.
 */
export async function storeNewSession(core: Core, row: SessionRow): Promise<void> {
  const { sequelize } = core.models;
  const upsert =
    sequelize.getDialect() === 'mysql'
      ? 'ON DUPLICATE KEY UPDATE operator_id = VALUES(operator_id), data = VALUES(data), expires_at = VALUES(expires_at)'
      : 'ON CONFLICT(sid_hash) DO UPDATE SET operator_id = excluded.operator_id, data = excluded.data, expires_at = excluded.expires_at';
  await withTransaction(sequelize, (t) =>
    sequelize.query(
      `INSERT INTO admin_sessions (sid_hash, operator_id, data, expires_at, created_at) VALUES (:h, :operatorId, :data, :expires, :now) ${upsert}`,
      {
        replacements: {
          h: row.sidHash,
          operatorId: row.operatorId,
          data: row.data,
          expires: row.expiresAt,
          now: core.now().getTime(),
        },
        transaction: t,
      },
    ),
  );
}

/**
 * Removes up to `limit` expired session rows; returns how many. It picks them with a plain read
 * and deletes by primary key, so it locks only dead rows: a range DELETE on `expires_at` took
 * gap locks that deadlocked with a concurrent login's insert on MariaDB.
 */
export async function pruneExpiredSessions(core: Core, limit = 200): Promise<number> {
  const { sequelize } = core.models;
  const rows = await sequelize.query<{ sid_hash: string }>(
    'SELECT sid_hash FROM admin_sessions WHERE expires_at < :now ORDER BY expires_at LIMIT :limit',
    { replacements: { now: core.now().getTime(), limit }, type: QueryTypes.SELECT },
  );
  if (!rows.length) return 0;
  return sequelize.query('DELETE FROM admin_sessions WHERE sid_hash IN (:ids) AND expires_at < :now', {
    replacements: { ids: rows.map((r) => r.sid_hash), now: core.now().getTime() },
    type: QueryTypes.BULKDELETE,
  });
}
