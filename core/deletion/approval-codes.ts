import crypto from 'node:crypto';
import { Op, type Transaction } from 'sequelize';
import type { ApprovalCode } from '../../models/index.js';
import { isLostRace, withTransaction } from '../../models/tx.js';
import type { Core } from '../context.js';
import { DomainError } from '../errors.js';

/** A code lives five minutes. */
export const CODE_TTL_MS = 5 * 60_000;
/** At most one code per subject and person per minute: each one is a chat message. */
export const RESEND_MS = 60_000;
/** Wrong entries before a code is void. */
export const MAX_ATTEMPTS = 5;

/** Why a code was not accepted; `remaining` counts the tries left on the current code. */
export type CodeCheck = { ok: true } | { ok: false; reason: 'none' | 'expired' | 'void' | 'wrong'; remaining: number };

/** Keyed with the session secret (never stored): a leaked table does not give the codes away by brute force. */
function hashCode(core: Core, subject: string, operatorId: number, code: string): string {
  return crypto
    .createHmac('sha256', `approval-code:${core.keys.sessionSecret}`)
    .update(`${subject}\n${operatorId}\n${code}`)
    .digest('hex');
}

function sameHash(a: string, b: string): boolean {
  return a.length === b.length && crypto.timingSafeEqual(Buffer.from(a), Buffer.from(b));
}

function rateLimited(core: Core, row: Pick<ApprovalCode, 'sentAt'>): DomainError {
  const wait = Math.max(1, Math.ceil((row.sentAt.getTime() + RESEND_MS - core.now().getTime()) / 1000));
  return new DomainError('RATE_LIMITED', `验证码刚刚发过, 请查看聊天消息; 如没收到, ${wait} 秒后可以重新发送。`, {
    retryAfter: wait,
  });
}

/**
 * Makes a fresh 6-digit code for `subject` (e.g. `approval:12`) and one operator, replacing any
 * earlier one, and hands it to `deliver` inside the same transaction (queue the chat message
 * there): a code is stored only if its message is queued. Refuses with RATE_LIMITED within a
 * minute of the last send. Only the code's hash is kept.
 */
export async function issueCode(
  core: Core,
  subject: string,
  operatorId: number,
  deliver: (code: string, t: Transaction) => Promise<void>,
): Promise<{ expiresAt: Date }> {
  const code = String(crypto.randomInt(0, 1_000_000)).padStart(6, '0');
  const now = core.now();
  const fields = {
    codeHash: hashCode(core, subject, operatorId, code),
    attempts: 0,
    sentAt: now,
    expiresAt: new Date(now.getTime() + CODE_TTL_MS),
  };
  try {
    await withTransaction(core.models.sequelize, async (t) => {
      const row = await core.models.ApprovalCode.findOne({
        where: { subject, operatorId },
        transaction: t,
        lock: t.LOCK.UPDATE,
      });
      if (row && row.sentAt.getTime() + RESEND_MS > now.getTime()) throw rateLimited(core, row);
      if (row) await row.update(fields, { transaction: t });
      else await core.models.ApprovalCode.create({ subject, operatorId, ...fields }, { transaction: t });
      await deliver(code, t);
    });
  } catch (err) {
    // Two presses at once: the other one sent the code.
    if (!isLostRace(err)) throw err;
    const row = await core.models.ApprovalCode.findOne({ where: { subject, operatorId } });
    throw rateLimited(core, row ?? { sentAt: now });
  }
  // Rows of long-finished pages are only clutter: a day past expiry nothing reads them.
  await core.models.ApprovalCode.destroy({ where: { expiresAt: { [Op.lt]: new Date(now.getTime() - 86400_000) } } });
  return { expiresAt: fields.expiresAt };
}

/** The live code for a subject and person, if one was sent and can still be entered. */
export async function liveCode(
  core: Core,
  subject: string,
  operatorId: number,
): Promise<{ expiresAt: Date; remaining: number } | null> {
  const row = await core.models.ApprovalCode.findOne({ where: { subject, operatorId } });
  if (!row?.codeHash || row.expiresAt <= core.now() || row.attempts >= MAX_ATTEMPTS) return null;
  return { expiresAt: row.expiresAt, remaining: MAX_ATTEMPTS - row.attempts };
}

/**
 * Checks an entered code. A right one is used up at once (it works once); a wrong one counts
 * against the code, and the fifth wrong entry voids it. Rows are locked, so parallel guesses
 * cannot share one count.
 */
export async function useCode(core: Core, subject: string, operatorId: number, entered: string): Promise<CodeCheck> {
  const code = entered.trim();
  return withTransaction(core.models.sequelize, async (t) => {
    const row = await core.models.ApprovalCode.findOne({
      where: { subject, operatorId },
      transaction: t,
      lock: t.LOCK.UPDATE,
    });
    if (!row?.codeHash) return { ok: false, reason: 'none', remaining: 0 };
    if (row.attempts >= MAX_ATTEMPTS) return { ok: false, reason: 'void', remaining: 0 };
    if (row.expiresAt <= core.now()) return { ok: false, reason: 'expired', remaining: 0 };
    if (/^\d{6}$/.test(code) && sameHash(row.codeHash, hashCode(core, subject, operatorId, code))) {
      await row.update({ codeHash: null }, { transaction: t });
      return { ok: true };
    }
    const attempts = row.attempts + 1;
    await row.update({ attempts }, { transaction: t });
    return attempts >= MAX_ATTEMPTS
      ? { ok: false, reason: 'void', remaining: 0 }
      : { ok: false, reason: 'wrong', remaining: MAX_ATTEMPTS - attempts };
  });
}
