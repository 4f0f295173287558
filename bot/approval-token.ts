import crypto from 'node:crypto';
import type { Core } from '../core/context.js';
import type { ApprovalRequest, Operator } from '../models/index.js';

/** What a link says; it proves which page, not who clicks (the one-time code does). */
export interface ApprovalClaims {
  /** request id */
  r: number;
  /** approver operator id */
  a: number;
  /** expiry, ms */
  e: number;
  /** nonce: tells two links for the same approver apart */
  n: string;
}

/** A link check's outcome: the claims, or the HTTP status and a Chinese reason. */
export type TokenCheck<C> = { ok: true; claims: C } | { ok: false; status: 400 | 403; reason: string };

function mac(core: Core, body: string): string {
  return crypto.createHmac('sha256', `approval-link:${core.keys.sessionSecret}`).update(body).digest('base64url');
}

/** A signed link to the approval page, bound to one approver, one request and its expiry. */
export function approvalLink(
  core: Core,
  request: Pick<ApprovalRequest, 'id' | 'expiresAt'>,
  approver: Pick<Operator, 'id'>,
): string {
  const claims: ApprovalClaims = {
    r: request.id,
    a: approver.id,
    e: request.expiresAt.getTime(),
    n: crypto.randomBytes(9).toString('base64url'),
  };
  const body = Buffer.from(JSON.stringify(claims)).toString('base64url');
  return `${core.config.PUBLIC_URL}/approvals/${request.id}?t=${body}.${mac(core, body)}`;
}

/**
 * Checks a signed token (`body.signature`, both base64url) and decodes its claims; `valid` says
 * whether the decoded JSON has the expected shape. Shared by the approval and review links.
 */
export function verifySigned<C>(
  token: string | null | undefined,
  sign: (body: string) => string,
  valid: (v: Record<string, unknown>) => boolean,
): TokenCheck<C> {
  const m = /^([\w-]{1,2000})\.([\w-]{43})$/.exec(token ?? '');
  if (!m) return { ok: false, status: 400, reason: '链接不完整, 请从聊天消息里重新打开。' };
  const expected = sign(m[1]!);
  if (!crypto.timingSafeEqual(Buffer.from(m[2]!), Buffer.from(expected)))
    return { ok: false, status: 403, reason: '链接签名无效, 请从聊天消息里重新打开。' };
  let claims: unknown;
  try {
    claims = JSON.parse(Buffer.from(m[1]!, 'base64url').toString('utf8'));
  } catch {
    claims = null;
  }
  if (!claims || typeof claims !== 'object' || !valid(claims as Record<string, unknown>))
    return { ok: false, status: 400, reason: '链接无效, 请从聊天消息里重新打开。' };
  return { ok: true, claims: claims as C };
}

/** Checks a link token for a request; returns the claims, or a status and a Chinese reason. */
export function verifyApprovalToken(
  core: Core,
  requestId: number,
  token: string | null | undefined,
): TokenCheck<ApprovalClaims> {
  const check = verifySigned<ApprovalClaims>(
    token,
    (body) => mac(core, body),
    (c) => Number.isInteger(c.r) && Number.isInteger(c.a) && typeof c.e === 'number' && typeof c.n === 'string',
  );
  if (!check.ok) return check;
  if (check.claims.r !== requestId) return { ok: false, status: 403, reason: '链接与审批单不符。' };
  if (check.claims.e <= core.now().getTime()) return { ok: false, status: 403, reason: '审批链接已过期。' };
  return check;
}
