import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { ConfigError, type Config } from './config.js';
import type { Logger } from './logger.js';

/** The secrets that protect personal data at rest. */
export interface Keys {
  dataKey: Buffer;
  indexKey: Buffer;
  sessionSecret: string;
  /** HMAC key of the audit chain and its checkpoints (STEWARD_AUDIT_KEY); never in the database. */
  auditKey: Buffer;
}

const KEY_FILE = 'dev-keys.json';

/** Production brings every key; nothing is generated there. */
function assertProductionKeys(config: Config): void {
  if (
    config.NODE_ENV === 'production' &&
    !(config.STEWARD_DATA_KEY && config.STEWARD_INDEX_KEY && config.SESSION_SECRET && config.STEWARD_AUDIT_KEY)
  ) {
    throw new ConfigError(
      '配置错误 (configuration error): 生产环境必须设置 STEWARD_DATA_KEY, STEWARD_INDEX_KEY, SESSION_SECRET 和 STEWARD_AUDIT_KEY (见 .env.example)',
    );
  }
}

/** Development keys: each from the environment, else from DATA_DIR's key file, else generated (and the file written). */
function devKeys(config: Config, logger?: Logger): Keys {
  const file = path.resolve(config.DATA_DIR, KEY_FILE);
  let stored: Record<string, string> = {};
  if (fs.existsSync(file)) stored = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, string>;
  const want = {
    STEWARD_DATA_KEY: config.STEWARD_DATA_KEY ?? stored.STEWARD_DATA_KEY ?? crypto.randomBytes(32).toString('base64'),
    STEWARD_INDEX_KEY:
      config.STEWARD_INDEX_KEY ?? stored.STEWARD_INDEX_KEY ?? crypto.randomBytes(32).toString('base64'),
    SESSION_SECRET: config.SESSION_SECRET ?? stored.SESSION_SECRET ?? crypto.randomBytes(32).toString('hex'),
    STEWARD_AUDIT_KEY:
      config.STEWARD_AUDIT_KEY ?? stored.STEWARD_AUDIT_KEY ?? crypto.randomBytes(32).toString('base64'),
  };
  const generated = (Object.keys(want) as (keyof typeof want)[]).some((k) => !config[k] && !stored[k]);
  if (generated) {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, JSON.stringify(want, null, 2), { mode: 0o600 });
    logger?.warn(
      { file },
      'development keys generated; set STEWARD_DATA_KEY, STEWARD_INDEX_KEY and SESSION_SECRET in production',
    );
  }
  return {
    dataKey: Buffer.from(want.STEWARD_DATA_KEY, 'base64'),
    indexKey: Buffer.from(want.STEWARD_INDEX_KEY, 'base64'),
    sessionSecret: want.SESSION_SECRET,
    auditKey: Buffer.from(want.STEWARD_AUDIT_KEY, 'base64'),
  };
}

/**
 * Keys from the environment; in development only, generated once into DATA_DIR with a warning,
 * so `npm start` works on a fresh clone while production must bring its own.
 */
export function loadKeys(config: Config, logger?: Logger): Keys {
  assertProductionKeys(config);
  const fromEnv = config.STEWARD_DATA_KEY && config.STEWARD_INDEX_KEY && config.SESSION_SECRET;
  if (!fromEnv) return devKeys(config, logger);
  const dataKey = Buffer.from(config.STEWARD_DATA_KEY!, 'base64');
  return {
    dataKey,
    indexKey: Buffer.from(config.STEWARD_INDEX_KEY!, 'base64'),
    sessionSecret: config.SESSION_SECRET!,
    auditKey: auditKeyOf(config, dataKey),
  };
}

/**
 * STEWARD_AUDIT_KEY, or (tests and development that bring the other keys but not this one) a key
 * derived from the data key, so instances sharing a database agree. Production always brings its own.
 */
function auditKeyOf(config: Config, dataKey: Buffer): Buffer {
  if (config.STEWARD_AUDIT_KEY) return Buffer.from(config.STEWARD_AUDIT_KEY, 'base64');
  return Buffer.from(crypto.hkdfSync('sha256', dataKey, Buffer.alloc(0), 'steward-audit-key (development only)', 32));
}

const IV_LEN = 12;
const IV_POOL = 1024;
const ivPool = Buffer.alloc(IV_LEN * IV_POOL);
let ivNext = IV_POOL;

/**
 * A fresh random 96-bit GCM IV. Drawing them 1024 at a time from the CSPRNG costs a tenth of one
 * randomBytes call per IV (a bulk import encrypts 200k values); each slice is handed out once and
 * copied by its caller before the pool is refilled, so IVs stay random and unique as before.
 */
function nextIv(): Buffer {
  if (ivNext === IV_POOL) {
    crypto.randomFillSync(ivPool);
    ivNext = 0;
  }
  return ivPool.subarray(IV_LEN * ivNext, IV_LEN * ++ivNext);
}

/** Encrypts with AES-256-GCM: "v1:" + base64(iv | tag | ciphertext). */
export function encrypt(keys: Keys, plain: string | null | undefined): string | null {
  if (plain === null || plain === undefined || plain === '') return null;
  const iv = nextIv();
  const cipher = crypto.createCipheriv('aes-256-gcm', keys.dataKey, iv);
  const ct = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
  return `v1:${Buffer.concat([iv, cipher.getAuthTag(), ct]).toString('base64')}`;
}

/** Reverses `encrypt`; throws if the value was tampered with or the key is wrong. */
export function decrypt(keys: Keys, stored: string | null | undefined): string | null {
  if (!stored) return null;
  if (!stored.startsWith('v1:')) throw new Error('unknown ciphertext format');
  const raw = Buffer.from(stored.slice(3), 'base64');
  const decipher = crypto.createDecipheriv('aes-256-gcm', keys.dataKey, raw.subarray(0, 12));
  decipher.setAuthTag(raw.subarray(12, 28));
  return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8');
}

/** HMAC blind index, so an exact phone search needs no decryption. */
export function blindIndex(keys: Keys, normalized: string | null | undefined): string | null {
  if (!normalized) return null;
  return crypto.createHmac('sha256', keys.indexKey).update(normalized).digest('hex');
}

/** `13812345678` → `138****5678`; short values keep only their last two characters. */
export function maskPhone(phone: string | null | undefined): string {
  if (!phone) return '';
  if (phone.length >= 7) return `${phone.slice(0, 3)}****${phone.slice(-4)}`;
  return `${'*'.repeat(Math.max(phone.length - 2, 1))}${phone.slice(-2)}`;
}

/** An address shown without its detail: the first six characters, then ****. */
export function maskAddress(address: string | null | undefined): string {
  if (!address) return '';
  return address.length <= 6 ? '****' : `${address.slice(0, 6)}****`;
}

/** Thrown when the configured data key cannot read what the database holds. */
export class KeyMismatchError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'KeyMismatchError';
  }
}

const CANARY = 'customer-steward key check';

/** A value encrypted once per database, so a changed STEWARD_DATA_KEY is caught at start-up, not mid-request. */
export function keyCanary(keys: Keys): string {
  return encrypt(keys, CANARY)!;
}

/** Throws KeyMismatchError when `stored` was not encrypted with these keys. */
export function checkKeyCanary(keys: Keys, stored: string): void {
  let plain: string | null = null;
  try {
    plain = decrypt(keys, stored);
  } catch {
    plain = null;
  }
  if (plain !== CANARY)
    throw new KeyMismatchError(
      'STEWARD_DATA_KEY 与数据库里已加密的数据不匹配: 密钥被换过或丢失了。请恢复原来的密钥 (开发环境在 DATA_DIR/dev-keys.json), 不要用新密钥启动。',
    );
}
