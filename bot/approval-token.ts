import crypto from 'node:crypto';
import type { Core } from '../core/context.js';
import type { ApprovalRequest, Operator } from '../models/index.js';

interface Claims {
  /** request id */
  r: number;
  /** approver operator id */
  a: number;
  /** expiry, ms */
  e: number;
  /** nonce: makes the link single-use */
  n: string;
}

function mac(core: Core, body: string): string {
  return crypto.createHmac('sha256', `approval-link:${core.keys.sessionSecret}`).update(body).digest('base64url');
}

/** A signed link to the approval page, bound to one approver, one request and its expiry. */
export function approvalLink(core: Core, request: Pick<ApprovalRequest, 'id' | 'expiresAt'>, approver: Pick<Operator, 'id'>): string {
  const claims: Claims = { r: request.id, a: approver.id, e: request.expiresAt.getTime(), n: crypto.randomBytes(9).toString('base64url') };
  const body = Buffer.from(JSON.stringify(claims)).toString('base64url');
  return `${core.config.PUBLIC_URL}/approvals/${request.id}?t=${body}.${mac(core, body)}`;
}

/** Checks a link token for a request; returns the claims or a Chinese reason. */
export function verifyApprovalToken(core: Core, requestId: number, token: string | undefined): { ok: true; claims: Claims } | { ok: false; reason: string } {
  const [body, sig] = (token ?? '').split('.');
  if (!body || !sig) return { ok: false, reason: '链接不完整, 请从钉钉消息里重新打开。' };
  const expected = mac(core, body);
  if (sig.length !== expected.length || !crypto.timingSafeEqual(Buffer.from(sig), Buffer.from(expected))) return { ok: false, reason: '链接签名无效, 请从钉钉消息里重新打开。' };
  let claims: Claims;
  try {
    claims = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as Claims;
  } catch {
    return { ok: false, reason: '链接无效。' };
  }
  if (claims.r !== requestId) return { ok: false, reason: '链接与审批单不符。' };
  if (claims.e <= core.now().getTime()) return { ok: false, reason: '审批链接已过期。' };
  return { ok: true, claims };
}
