import crypto from 'node:crypto';
import { QueryTypes, type Transaction } from 'sequelize';
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
