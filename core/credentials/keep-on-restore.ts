import { QueryTypes, type Transaction } from 'sequelize';
import type { Core } from '../context.js';
import { hashPassword, oneTimePassword } from './passwords.js';
import { endAllSessions } from './sessions.js';
import { setMustChangePassword } from './admin-account.js';

/** The live logins, by e-mail, before a restore replaces the operators (backups never hold password hashes). */
export interface LiveLogins {
  byEmail: Map<string, { passwordHash: string; mustChange: boolean; totpSecret: string | null }>;
}

/** What a restore did about back-office logins, for the person restoring to read. */
export interface LoginsAfterRestore {
  /** E-mails whose current password still works after the restore. */
  kept: string[];
  /** Set when no admin could have logged in: that admin's one-time password (must be changed at login). */
  recreatedAdmin: { email: string; password: string; created: boolean } | null;
}

/** Reads the current operators' credentials inside the restore's transaction, before the tables are cleared. */
export async function captureLogins(core: Core, t: Transaction): Promise<LiveLogins> {
  const rows = await core.models.sequelize.query<{
    email: string;
    password_hash: string;
    m: unknown;
    totp: string | null;
  }>(
    `SELECT o.email, o.password_hash, c.must_change_password AS m, c.totp_secret AS totp FROM operators o LEFT JOIN admin_credentials c ON c.operator_id = o.id
     WHERE o.email IS NOT NULL AND o.password_hash IS NOT NULL`,
    { type: QueryTypes.SELECT, transaction: t },
  );
  return {
    byEmail: new Map(
      rows.map((r) => [
        r.email.toLowerCase(),
        { passwordHash: r.password_hash, mustChange: Boolean(Number(r.m ?? 0)), totpSecret: r.totp ?? null },
      ]),
    ),
  };
}

/**
 * After the restored rows are in: operators whose e-mail had a live login keep that password;
 * if then no active admin can log in, ADMIN_EMAIL's admin gets a one-time password (created if
 * the backup has no such operator). Every session ends: restored ids may name other people.
 */
export async function reapplyLogins(core: Core, t: Transaction, live: LiveLogins): Promise<LoginsAfterRestore> {
  const { Operator } = core.models;
  await endAllSessions(core, t);
  await core.models.sequelize.query('DELETE FROM admin_credentials', { transaction: t });
  const kept: string[] = [];
  for (const op of await Operator.findAll({ transaction: t })) {
    const login = op.email ? live.byEmail.get(op.email.toLowerCase()) : undefined;
    if (!login) continue;
    await op.update({ passwordHash: login.passwordHash }, { transaction: t, hooks: false });
    await setMustChangePassword(core, op.id, login.mustChange, t);
    if (login.totpSecret)
      await core.models.sequelize.query('UPDATE admin_credentials SET totp_secret = :s WHERE operator_id = :id', {
        replacements: { s: login.totpSecret, id: op.id },
        transaction: t,
      });
    kept.push(op.email!);
  }
  const admins = await Operator.findAll({ where: { active: true }, transaction: t });
  if (admins.some((o) => o.passwordHash && o.email && o.roleList().includes('admin')))
    return { kept, recreatedAdmin: null };
  const email = core.config.ADMIN_EMAIL.toLowerCase();
  const password = oneTimePassword();
  const passwordHash = await hashPassword(password);
  const existing = await Operator.findOne({ where: { email }, transaction: t });
  const roles = existing ? [...new Set([...existing.roleList(), 'admin'])].join(',') : 'admin';
  const admin = existing
    ? await existing.update({ passwordHash, active: true, roles }, { transaction: t })
    : await Operator.create(
        { displayName: '系统管理员', roles, email, passwordHash, active: true },
        { transaction: t },
      );
  await setMustChangePassword(core, admin.id, true, t);
  return { kept, recreatedAdmin: { email, password, created: !existing } };
}

/** The Chinese lines that tell the person restoring what happened to the logins. */
export function describeLogins(r: LoginsAfterRestore): string[] {
  const lines = [
    r.kept.length
      ? `后台登录: 保留了 ${r.kept.length} 位现有操作员的密码 (${r.kept.slice(0, 5).join('、')}${r.kept.length > 5 ? ' 等' : ''}); 所有人需重新登录。`
      : '后台登录: 备份中没有与当前操作员邮箱相同的账号, 没有保留任何密码。',
  ];
  if (r.recreatedAdmin) {
    lines.push(
      `没有可登录的管理员, 已${r.recreatedAdmin.created ? '创建' : '重置'}管理员 ${r.recreatedAdmin.email}, 一次性密码 (只显示这一次): ${r.recreatedAdmin.password} — 登录后须立即修改。`,
    );
  }
  return lines;
}
