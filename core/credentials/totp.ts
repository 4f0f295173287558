import { QueryTypes } from 'sequelize';
import { authenticator } from 'otplib';
import { withTransaction } from '../../models/tx.js';
import { appendAudit } from '../audit.js';
import type { Actor, Core } from '../context.js';
import { DomainError } from '../errors.js';
import { decrypt, encrypt } from '../privacy.js';

// One step (30 s) either side: phone clocks drift.
authenticator.options = { window: 1 };

/** A fresh TOTP secret (base32) for enrolment. */
export function newTotpSecret(): string {
  return authenticator.generateSecret();
}

/** The otpauth:// URI an authenticator app reads from the QR code. */
export function totpUri(email: string, secret: string): string {
  return authenticator.keyuri(email, '客户主数据管家', secret);
}

async function storedSecret(core: Core, operatorId: number): Promise<string | null> {
  const [row] = await core.models.sequelize.query<{ s: string | null }>(
    'SELECT totp_secret AS s FROM admin_credentials WHERE operator_id = :operatorId',
    {
      replacements: { operatorId },
      type: QueryTypes.SELECT,
    },
  );
  return row?.s ?? null;
}

/** Whether an operator has a second factor. */
export async function totpEnrolled(core: Core, operatorId: number): Promise<boolean> {
  return Boolean(await storedSecret(core, operatorId));
}

/** Checks a 6-digit code against the operator's second factor. */
export async function checkTotp(core: Core, operatorId: number, code: string): Promise<boolean> {
  const secret = decrypt(core.keys, await storedSecret(core, operatorId));
  const token = String(code ?? '').replace(/\s/g, '');
  return Boolean(secret) && /^\d{6}$/.test(token) && authenticator.check(token, secret!);
}

/** Turns on the second factor once the operator proved their app shows the right code; the secret is stored encrypted. Audited. */
export async function enrolTotp(
  core: Core,
  actor: Actor,
  operatorId: number,
  secret: string,
  code: string,
): Promise<void> {
  const token = String(code ?? '').replace(/\s/g, '');
  if (!/^\d{6}$/.test(token) || !authenticator.check(token, secret)) {
    throw new DomainError(
      'VALIDATION',
      '验证码不对: 请输入验证器 App 里当前显示的 6 位数字 (每 30 秒变化), 并确认手机时间准确。',
      { field: 'code' },
    );
  }
  const { sequelize } = core.models;
  const now = core.now().getTime();
  const enc = encrypt(core.keys, secret);
  const sql =
    sequelize.getDialect() === 'mysql'
      ? 'INSERT INTO admin_credentials (operator_id, must_change_password, totp_secret, updated_at) VALUES (:operatorId, false, :enc, :now) ON DUPLICATE KEY UPDATE totp_secret = :enc, updated_at = :now'
      : 'INSERT INTO admin_credentials (operator_id, must_change_password, totp_secret, updated_at) VALUES (:operatorId, false, :enc, :now) ON CONFLICT(operator_id) DO UPDATE SET totp_secret = :enc, updated_at = :now';
  await withTransaction(sequelize, async (t) => {
    await sequelize.query(sql, { replacements: { operatorId, enc, now }, transaction: t });
    await appendAudit(core, t, actor, { action: 'operator.totp.enrol', info: { operatorId } });
  });
}
