import crypto from 'node:crypto';
import type { Door } from '../../models/index.js';
import { canonicalJson } from '../canonical.js';

/** Customer fields that are personal data: the chain holds only salted commitments to them. */
export const PERSONAL_FIELDS = new Set(['name', 'contact', 'phone', 'address']);
export const GENESIS_HASH = '0'.repeat(64);
/** The action of the event that anchors an unkeyed (pre-STEWARD_AUDIT_KEY) chain under the key. */
export const ANCHOR_ACTION = 'audit.anchor';
/** The action of the event a whole-database restore records. */
export const RESTORE_ACTION = 'audit.restore';

/** The fields of an event that its hash covers. */
export interface Hashable {
  at: Date;
  operatorId: number | null;
  operatorName: string;
  door: Door;
  action: string;
  customerId: number | null;
  customerCode: string | null;
  diff: string;
}

function body(e: Hashable): string {
  return canonicalJson({
    at: e.at.toISOString(),
    operatorId: e.operatorId,
    operatorName: e.operatorName,
    door: e.door,
    action: e.action,
    customerId: e.customerId,
    customerCode: e.customerCode,
    diff: e.diff,
  });
}

/** The old, unkeyed link: sha256(prevHash + canonical JSON). Only verified before the anchor. */
export function eventHash(prevHash: string, e: Hashable): string {
  return crypto
    .createHash('sha256')
    .update(prevHash + body(e))
    .digest('hex');
}

/** A link: HMAC-SHA256 under STEWARD_AUDIT_KEY of prevHash + canonical JSON. Unforgeable without the key. */
export function linkHash(auditKey: Buffer, prevHash: string, e: Hashable): string {
  return crypto
    .createHmac('sha256', auditKey)
    .update(prevHash + body(e))
    .digest('hex');
}

/** A salted commitment to one personal value. */
export function commitment(salt: string, path: string, value: unknown): string {
  return crypto
    .createHash('sha256')
    .update(`${salt}|${path}|${canonicalJson(value)}`)
    .digest('hex');
}

/** Replaces personal values by `{ pii: <commitment> }` and collects the plaintext apart. */
export function splitPersonal(
  salt: string,
  side: string,
  values: Record<string, unknown> | null | undefined,
  pii: Record<string, unknown>,
) {
  if (!values) return values ?? null;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(values)) {
    if (PERSONAL_FIELDS.has(k) && v !== null && v !== undefined && v !== '') {
      pii[`${side}.${k}`] = v;
      out[k] = { pii: commitment(salt, `${side}.${k}`, v) };
    } else out[k] = v;
  }
  return out;
}

/**
 * True when the decrypted personal values of an event match the commitments in its (hashed) diff:
 * the same paths, each value committing to the same hash. Personal data moved from another event fails.
 */
export function personalMatchesDiff(diff: string, pii: { salt: string; values: Record<string, unknown> }): boolean {
  let parsed: Record<string, Record<string, unknown> | null | undefined>;
  try {
    parsed = JSON.parse(diff) as typeof parsed;
  } catch {
    return false;
  }
  const committed = new Map<string, string>();
  for (const side of ['before', 'after']) {
    for (const [k, v] of Object.entries(parsed[side] ?? {})) {
      const c = (v as { pii?: unknown } | null)?.pii;
      if (typeof c === 'string') committed.set(`${side}.${k}`, c);
    }
  }
  const paths = Object.keys(pii.values);
  if (paths.length !== committed.size) return false;
  return paths.every((p) => committed.get(p) === commitment(pii.salt, p, pii.values[p]));
}
