import crypto from 'node:crypto';
import { QueryTypes, UniqueConstraintError, type Transaction } from 'sequelize';
import type { Operator } from '../../models/index.js';
import { withTransaction } from '../../models/tx.js';
import { appendAudit } from '../audit.js';
import type { Actor, Core } from '../context.js';
import { DomainError } from '../errors.js';
import { assertCan } from '../permissions.js';
import { hashPassword, oneTimePassword } from './passwords.js';
import { endSessions } from './sessions.js';
import { clearLoginDelays } from './throttle.js';

/**
 * Ensures a back-office admin login exists; returns the generated password when it made one.
 * Several instances starting at once on an empty database race here: the loser's unique
 * violation means the winner created it, which is what was wanted.
 */
export async function ensureAdmin(
  core: Core,
): Promise<{ email: string; createdPassword: string | null; existed: boolean }> {
  const email = core.config.ADMIN_EMAIL.toLowerCase();
  const existing = await core.models.Operator.findOne({ where: { email } });
  if (existing) return { email, createdPassword: null, existed: true };
  const password = core.config.ADMIN_PASSWORD ?? crypto.randomBytes(9).toString('base64url');
  try {
    await core.models.Operator.create({
      displayName: '系统管理员',
      roles: 'admin',
      email,
      passwordHash: await hashPassword(password),
      active: true,
    });
  } catch (err) {
    if (!(err instanceof UniqueConstraintError)) throw err;
    core.logger.info('admin login created by another instance starting at the same time');
    return { email, createdPassword: null, existed: true };
  }
  return { email, createdPassword: core.config.ADMIN_PASSWORD ? null : password, existed: false };
}

/** Sets or clears the 「下次登录须修改密码」 mark of an operator. */
export async function setMustChangePassword(
  core: Core,
  operatorId: number,
  must: boolean,
  t?: Transaction,
): Promise<void> {
  const { sequelize } = core.models;
  const now = core.now().getTime();
  const sql =
    sequelize.getDialect() === 'mysql'
      ? 'INSERT INTO admin_credentials (operator_id, must_change_password, updated_at) VALUES (:operatorId, :must, :now) ON DUPLICATE KEY UPDATE must_change_password = :must, updated_at = :now'
      : 'INSERT INTO admin_credentials (operator_id, must_change_password, updated_at) VALUES (:operatorId, :must, :now) ON CONFLICT(operator_id) DO UPDATE SET must_change_password = :must, updated_at = :now';
  await sequelize.query(sql, { replacements: { operatorId, must, now }, transaction: t });
}

/** True when the operator logs in with a one-time password that must be replaced first. */
export async function mustChangePassword(core: Core, operatorId: number): Promise<boolean> {
  const [row] = await core.models.sequelize.query<{ m: unknown }>(
    'SELECT must_change_password AS m FROM admin_credentials WHERE operator_id = :operatorId',
    {
      replacements: { operatorId },
      type: QueryTypes.SELECT,
    },
  );
  return row ? Boolean(Number(row.m)) : false;
}

/**
 * A new one-time password for an operator (the way back after a lost password or phone): ends
 * every back-office session, lifts login delays, removes the second factor, and must be changed
 * at the next login. Audited.
 */
export async function resetPassword(
  core: Core,
  actor: Actor,
  operator: Operator,
): Promise<{ operator: Operator; password: string; sessionsEnded: number }> {
  assertCan(actor.operator, 'manageOperators');
  if (!operator.email)
    throw new DomainError(
      'VALIDATION',
      `操作员 ${operator.displayName} 没有登录邮箱, 不能登录后台: 请先在后台为其填写邮箱。`,
      { field: 'email' },
    );
  const password = oneTimePassword();
  const passwordHash = await hashPassword(password);
  const sessionsEnded = await withTransaction(core.models.sequelize, async (t) => {
    await operator.update({ passwordHash }, { transaction: t });
    await setMustChangePassword(core, operator.id, true, t);
    // The way back also covers a lost phone: the second factor is enrolled again after logging in.
    await core.models.sequelize.query('UPDATE admin_credentials SET totp_secret = NULL WHERE operator_id = :id', {
      replacements: { id: operator.id },
      transaction: t,
    });
    const ended = await endSessions(core, operator.id, t);
    await appendAudit(core, t, actor, {
      action: 'operator.password.reset',
      info: { operatorId: operator.id, sessionsEnded: ended },
    });
    return ended;
  });
  await clearLoginDelays(core, operator.email);
  return { operator, password, sessionsEnded };
}

/** Changes one's own password (after a one-time password, or by choice): ends every other session. */
export async function changeOwnPassword(core: Core, actor: Actor, operatorId: number, password: string): Promise<void> {
  if (password.length < 8 || password.length > 200)
    throw new DomainError('VALIDATION', '新密码至少 8 位, 最多 200 位。', { field: 'password' });
  const passwordHash = await hashPassword(password);
  await withTransaction(core.models.sequelize, async (t) => {
    const op = await core.models.Operator.findByPk(operatorId, { transaction: t, lock: t.LOCK.UPDATE });
    if (!op || !op.active) throw new DomainError('NOT_FOUND', '账号不存在或已停用。');
    await op.update({ passwordHash }, { transaction: t });
    await setMustChangePassword(core, operatorId, false, t);
    await endSessions(core, operatorId, t);
    await appendAudit(core, t, actor, { action: 'operator.password.change', info: { operatorId } });
  });
}
