import crypto from 'node:crypto';
import { promisify } from 'node:util';
import type { Operator } from '../models/index.js';
import type { Core } from './context.js';

const scrypt = promisify(crypto.scrypt) as (pw: string, salt: Buffer, len: number, opts: crypto.ScryptOptions) => Promise<Buffer>;
const PARAMS = { N: 16384, r: 8, p: 1 };

/** scrypt$N$r$p$salt$hash, all base64. */
export async function hashPassword(password: string): Promise<string> {
  const salt = crypto.randomBytes(16);
  const hash = await scrypt(password, salt, 32, PARAMS);
  return `scrypt$${PARAMS.N}$${PARAMS.r}$${PARAMS.p}$${salt.toString('base64')}$${hash.toString('base64')}`;
}

const DUMMY = 'scrypt$16384$8$1$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=';

/** Constant-time check; an unknown account still costs one scrypt, so timing does not tell. */
export async function verifyPassword(password: string, stored: string | null | undefined): Promise<boolean> {
  const [scheme, n, r, p, salt, hash] = (stored ?? DUMMY).split('$');
  if (scheme !== 'scrypt' || !salt || !hash) return false;
  const expected = Buffer.from(hash, 'base64');
  const got = await scrypt(password, Buffer.from(salt, 'base64'), expected.length, { N: Number(n), r: Number(r), p: Number(p) });
  return crypto.timingSafeEqual(got, expected) && Boolean(stored);
}

/** Which active operator a chat user id maps to on a door, as a `where`. */
export function chatIdWhere(door: 'wecom' | 'dingtalk', userId: string) {
  return { ...(door === 'wecom' ? { wecomUserId: userId } : { dingtalkUserId: userId }), active: true };
}

/** The operator a chat user id maps to on a door, if active. */
export async function operatorByChatId(core: Core, door: 'wecom' | 'dingtalk', userId: string): Promise<Operator | null> {
  return core.models.Operator.findOne({ where: chatIdWhere(door, userId) });
}

/** Ensures a back-office admin login exists; returns the generated password when it made one. */
export async function ensureAdmin(core: Core): Promise<{ email: string; createdPassword: string | null; existed: boolean }> {
  const email = core.config.ADMIN_EMAIL.toLowerCase();
  const existing = await core.models.Operator.findOne({ where: { email } });
  if (existing) return { email, createdPassword: null, existed: true };
  const password = core.config.ADMIN_PASSWORD ?? crypto.randomBytes(9).toString('base64url');
  await core.models.Operator.create({ displayName: '系统管理员', roles: 'admin', email, passwordHash: await hashPassword(password), wecomUserId: null, dingtalkUserId: null, active: true });
  return { email, createdPassword: core.config.ADMIN_PASSWORD ? null : password, existed: false };
}
