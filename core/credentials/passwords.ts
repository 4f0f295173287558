import crypto from 'node:crypto';
import { promisify } from 'node:util';

const scrypt = promisify(crypto.scrypt) as (
  pw: string,
  salt: Buffer,
  len: number,
  opts: crypto.ScryptOptions,
) => Promise<Buffer>;

/** OWASP's current minimum for scrypt (2^17, 8, 1): 128 MiB and ~0.3 s per hash. */
export const SCRYPT_PARAMS = { N: 2 ** 17, r: 8, p: 1 } as const;
/**
 * The parameters new hashes get. Under jest only, STEWARD_TEST_SCRYPT_N may lower N so that test
 * suites with dozens of logins stay fast on a shared machine; production ignores it.
 */
export function activeParams(): { N: number; r: number; p: number } {
  const lowered = process.env.NODE_ENV === 'test' ? Number(process.env.STEWARD_TEST_SCRYPT_N) : NaN;
  return Number.isInteger(lowered) && lowered >= 1024 ? { ...SCRYPT_PARAMS, N: lowered } : SCRYPT_PARAMS;
}

/** Stored hashes above this cost are refused rather than allowed to exhaust memory. */
const MAX_N = 2 ** 20;
// Each running hash holds 128·N·r bytes; two at a time keeps a burst of logins from exhausting memory.
const MAX_PARALLEL = 2;

let running = 0;
const waiting: (() => void)[] = [];

async function limited<T>(fn: () => Promise<T>): Promise<T> {
  if (running >= MAX_PARALLEL) await new Promise<void>((resolve) => waiting.push(resolve));
  running++;
  try {
    return await fn();
  } finally {
    running--;
    waiting.shift()?.();
  }
}

function derive(password: string, salt: Buffer, len: number, N: number, r: number, p: number): Promise<Buffer> {
  return limited(() => scrypt(password, salt, len, { N, r, p, maxmem: 128 * N * r * p + 16 * 1024 * 1024 }));
}

/** scrypt$N$r$p$salt$hash, all base64. */
export async function hashPassword(password: string): Promise<string> {
  const { N, r, p } = activeParams();
  const salt = crypto.randomBytes(16);
  const hash = await derive(password, salt, 32, N, r, p);
  return `scrypt$${N}$${r}$${p}$${salt.toString('base64')}$${hash.toString('base64')}`;
}

const dummy = () =>
  `scrypt$${activeParams().N}$${SCRYPT_PARAMS.r}$${SCRYPT_PARAMS.p}$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=`;

/** Constant-time check; an unknown account still costs one full-strength scrypt, so timing does not tell. */
export async function verifyPassword(password: string, stored: string | null | undefined): Promise<boolean> {
  const [scheme, n, r, p, salt, hash] = (stored ?? dummy()).split('$');
  const [N, R, P] = [Number(n), Number(r), Number(p)];
  if (scheme !== 'scrypt' || !salt || !hash || !(N >= 2 && N <= MAX_N && R >= 1 && R <= 32 && P >= 1 && P <= 16))
    return false;
  const expected = Buffer.from(hash, 'base64');
  const got = await derive(password, Buffer.from(salt, 'base64'), expected.length, N, R, P);
  return crypto.timingSafeEqual(got, expected) && Boolean(stored);
}

/** True when a stored hash is weaker than SCRYPT_PARAMS (rehashed at the next successful login). */
export function needsRehash(stored: string | null | undefined): boolean {
  const [scheme, n, r, p] = String(stored ?? '').split('$');
  const want = activeParams();
  return scheme !== 'scrypt' || Number(n) < want.N || Number(r) < want.r || Number(p) < want.p;
}

/** A one-time password a person can type: 12 letters and digits without look-alikes (0/O, 1/l/I). */
export function oneTimePassword(): string {
  const alphabet = 'abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789';
  return Array.from({ length: 12 }, () => alphabet[crypto.randomInt(alphabet.length)]).join('');
}
