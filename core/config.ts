import { Ajv, type ErrorObject } from 'ajv';

/**
 * Validated runtime configuration, read once from the environment and frozen: nothing changes it
 * at run time (a test that needs other values loads another config).
 */
export type Config = Readonly<ConfigFields>;

interface ConfigFields {
  /**
   * The variables this configuration was read from, channel blocks included (FEISHU_*, DINGTALK_*...):
   * each messenger validates its own block (bot/channels/<id>/), so core does not know vendor keys.
   */
  env: Readonly<Record<string, string | undefined>>;
  NODE_ENV: 'development' | 'production' | 'test';
  PORT: number;
  HOST: string;
  TRUST_PROXY: boolean;
  PUBLIC_URL: string;
  /** A second port that serves only /metrics (keep it off the public network). */
  METRICS_PORT?: number;
  /** Bearer token a /metrics scrape must send; without it or METRICS_PORT there is no /metrics. */
  METRICS_TOKEN?: string;
  DATABASE_URL: string;
  LOG_LEVEL: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  DATA_DIR: string;
  STEWARD_DEMO: boolean;
  STEWARD_TIMEZONE: string;
  ADMIN_EMAIL: string;
  ADMIN_PASSWORD?: string;
  SESSION_SECRET?: string;
  STEWARD_DATA_KEY?: string;
  STEWARD_INDEX_KEY?: string;
  STEWARD_BACKUP_KEY?: string;
  STEWARD_AUDIT_KEY?: string;
  CODE_RULE: string;
  CODE_SEQ_RESET: 'yearly' | 'global';
  CODE_MANUAL_PATTERN: string;
  /** How many automatic code numbers an instance takes at once (1: gapless, in the create's transaction). */
  CODE_BLOCK_SIZE: number;
  /** The audit-chain lane this instance appends to; unset: the database node's (core/audit/lane.ts). */
  AUDIT_LANE?: number;
  APPROVAL_TTL_HOURS: number;
  ADMIN_SESSION_HOURS: number;
  ADMIN_2FA: 'optional' | 'required';
  CONFIRM_TTL_SECONDS: number;
  /** own: sales act only on the customers they own; all: on every customer. */
  SALES_SCOPE: 'own' | 'all';
  RECYCLE_RETENTION_DAYS: number;
  JOBS_ENABLED: boolean;
  JOB_BACKUP_CRON: string;
  JOB_INACTIVE_REVIEW_CRON: string;
  JOB_APPROVAL_EXPIRY_CRON: string;
  JOB_REACTIVATE_DUE_CRON: string;
  JOB_RECYCLE_PURGE_CRON: string;
  JOB_MONTHLY_REPORT_CRON: string;
  JOB_INTEGRITY_CHECK_CRON: string;
  JOB_AUDIT_CHECKPOINT_CRON: string;
  REVIEW_INACTIVE_DAYS: number;
  REVIEW_KEEP_DAYS: number;
  IMPORT_MAX_ROWS: number;
  IMPORT_MAX_UNZIPPED_MB: number;
  IMPORT_MAX_FILE_MB: number;
  BACKUP_DIR?: string;
  BACKUP_KEEP_DAILY: number;
  BACKUP_KEEP_WEEKLY: number;
  STEWARD_OPERATOR?: string;
  API_RATE_LIMIT_PER_MINUTE: number;
  WEBHOOK_ALLOW_HOSTS?: string;
  WEBHOOK_TIMEOUT_SECONDS: number;
  JSHERP_DATABASE_URL?: string;
  JSHERP_TENANT_ID?: number;
  JSHERP_SYNC_CRON: string;
  JSHERP_WRITE_BACK: boolean;
}

type Spec = { type: 'string' | 'integer' | 'boolean'; default?: unknown; expect: string } & Record<string, unknown>;

const text = (expect: string): Spec => ({ type: 'string', minLength: 1, expect });
const int = (min: number, max: number, def: number): Spec => ({
  type: 'integer',
  minimum: min,
  maximum: max,
  default: def,
  expect: `${min}–${max} 之间的整数 (integer ${min}-${max})`,
});
const bool = (def: boolean): Spec => ({ type: 'boolean', default: def, expect: 'true 或 false' });
const key32 = (expect: string): Spec => ({ type: 'string', pattern: '^[A-Za-z0-9+/]{43}=$', expect });
// Shape only (5 or 6 fields); jobs/index.ts checks the expression itself with node-cron at start-up.
const cron = (def: string): Spec => ({
  type: 'string',
  pattern: '^\\s*\\S+(\\s+\\S+){4,5}\\s*$',
  default: def,
  expect: `cron 表达式 (5 或 6 段, 例如 "${def}")`,
});

/** One entry per variable; `expect` is what the error message tells the operator. */
export const CONFIG_SPEC: Record<Exclude<keyof Config, 'env'>, Spec> = {
  NODE_ENV: {
    type: 'string',
    enum: ['development', 'production', 'test'],
    default: 'development',
    expect: 'development / production / test',
  },
  PORT: int(1, 65535, 3000),
  HOST: { type: 'string', minLength: 1, default: '0.0.0.0', expect: '监听地址 (listen address)' },
  TRUST_PROXY: bool(false),
  PUBLIC_URL: {
    type: 'string',
    pattern: '^https?://[^\\s]+$',
    expect: 'http(s):// 开头的地址, 例如 https://steward.example.com (public base URL)',
  },
  METRICS_PORT: {
    type: 'integer',
    minimum: 1,
    maximum: 65535,
    expect: '1–65535 之间的端口, 与 PORT 不同 (a port other than PORT)',
  },
  METRICS_TOKEN: {
    type: 'string',
    minLength: 24,
    pattern: '^\\S+$',
    expect: '至少 24 个字符、不含空白的随机串, 例如 `openssl rand -hex 24` (24+ random characters)',
  },
  DATABASE_URL: {
    type: 'string',
    pattern: '^(sqlite:.+|(mysql|mariadb)://.+)$',
    default: 'sqlite:./data/steward.sqlite',
    expect: 'sqlite:<文件路径> 或 mysql://user:pass@host:port/db (sqlite:<path> or mysql://…)',
  },
  LOG_LEVEL: {
    type: 'string',
    enum: ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'],
    default: 'info',
    expect: 'fatal/error/warn/info/debug/trace/silent',
  },
  DATA_DIR: { type: 'string', minLength: 1, default: './data', expect: '数据目录 (a directory path)' },
  STEWARD_DEMO: bool(true),
  STEWARD_TIMEZONE: { type: 'string', minLength: 1, default: 'Asia/Shanghai', expect: 'IANA 时区, 例如 Asia/Shanghai' },
  ADMIN_EMAIL: {
    type: 'string',
    pattern: '^[^@\\s]+@[^@\\s]+$',
    default: 'admin@steward.local',
    expect: '邮箱地址 (an email address)',
  },
  ADMIN_PASSWORD: { type: 'string', minLength: 8, expect: '至少 8 位的密码 (at least 8 characters)' },
  SESSION_SECRET: { type: 'string', minLength: 32, expect: '至少 32 个字符的随机串 (32+ random characters)' },
  STEWARD_DATA_KEY: key32('base64 编码的 32 字节密钥, 用 `openssl rand -base64 32` 生成'),
  STEWARD_INDEX_KEY: key32('base64 编码的 32 字节密钥, 用 `openssl rand -base64 32` 生成'),
  STEWARD_BACKUP_KEY: key32('base64 编码的 32 字节密钥, 用 `openssl rand -base64 32` 生成'),
  STEWARD_AUDIT_KEY: key32('base64 编码的 32 字节密钥, 用 `openssl rand -base64 32` 生成'),
  CODE_RULE: {
    type: 'string',
    pattern: '\\{SEQ:[1-9]\\}',
    default: 'C{YYYY}{SEQ:4}',
    expect: '含 {SEQ:n} 的编码规则, 例如 C{YYYY}{SEQ:4}',
  },
  CODE_SEQ_RESET: { type: 'string', enum: ['yearly', 'global'], default: 'yearly', expect: 'yearly 或 global' },
  CODE_MANUAL_PATTERN: {
    type: 'string',
    minLength: 1,
    default: '^[A-Z0-9-]{2,32}$',
    expect: '正则表达式 (a regular expression)',
  },
  CODE_BLOCK_SIZE: int(1, 1000, 1),
  AUDIT_LANE: { type: 'integer', minimum: 1, maximum: 65535, expect: '1–65535 之间的整数 (audit chain lane)' },
  APPROVAL_TTL_HOURS: int(1, 24 * 30, 48),
  ADMIN_SESSION_HOURS: int(1, 72, 8),
  ADMIN_2FA: {
    type: 'string',
    enum: ['optional', 'required'],
    default: 'optional',
    expect: 'optional (自愿开启两步验证) 或 required (管理员和审批人必须开启)',
  },
  CONFIRM_TTL_SECONDS: int(10, 3600, 300),
  SALES_SCOPE: {
    type: 'string',
    enum: ['own', 'all'],
    default: 'own',
    expect: 'own (销售只能操作自己负责的客户) 或 all (可操作全部客户)',
  },
  RECYCLE_RETENTION_DAYS: int(1, 3650, 180),
  JOBS_ENABLED: bool(true),
  JOB_BACKUP_CRON: cron('0 3 * * *'),
  JOB_INACTIVE_REVIEW_CRON: cron('0 9 * * 1'),
  JOB_APPROVAL_EXPIRY_CRON: cron('*/5 * * * *'),
  JOB_REACTIVATE_DUE_CRON: cron('10 0 * * *'),
  JOB_RECYCLE_PURGE_CRON: cron('0 2 * * *'),
  JOB_MONTHLY_REPORT_CRON: cron('0 9 1 * *'),
  JOB_INTEGRITY_CHECK_CRON: cron('0 4 * * 0'),
  JOB_AUDIT_CHECKPOINT_CRON: cron('30 23 * * *'),
  REVIEW_INACTIVE_DAYS: int(1, 3650, 180),
  REVIEW_KEEP_DAYS: int(1, 3650, 90),
  IMPORT_MAX_ROWS: int(1, 10_000_000, 200_000),
  IMPORT_MAX_UNZIPPED_MB: int(1, 100_000, 300),
  IMPORT_MAX_FILE_MB: int(1, 1000, 20),
  BACKUP_DIR: text('备份目录, 默认 <DATA_DIR>/backups (backup directory)'),
  BACKUP_KEEP_DAILY: int(0, 3650, 7),
  BACKUP_KEEP_WEEKLY: int(0, 520, 4),
  STEWARD_OPERATOR: text('命令行默认操作员: 聊天账号或邮箱 (CLI operator: chat user id or email)'),
  API_RATE_LIMIT_PER_MINUTE: int(1, 1_000_000, 1200),
  WEBHOOK_ALLOW_HOSTS: text(
    '允许的内网 webhook 主机, 逗号分隔, 例如 127.0.0.1,erp.lan (private hosts allowed as webhook targets)',
  ),
  WEBHOOK_TIMEOUT_SECONDS: int(1, 60, 10),
  JSHERP_DATABASE_URL: {
    type: 'string',
    pattern: '^(mysql|mariadb)://.+$',
    expect: 'jshERP 的 MySQL 地址, 例如 mysql://user:pass@host:3306/jsh_erp',
  },
  JSHERP_TENANT_ID: { type: 'integer', minimum: 0, expect: 'jshERP 租户 ID (tenant_id, 整数)' },
  JSHERP_SYNC_CRON: cron('*/5 * * * *'),
  JSHERP_WRITE_BACK: bool(true),
};

/** Raised when the environment is wrong; its message is one line an operator can act on. */
export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

const ajv = new Ajv({ coerceTypes: true, useDefaults: true, allErrors: true, strict: false });
const validate = ajv.compile({
  type: 'object',
  properties: Object.fromEntries(Object.entries(CONFIG_SPEC).map(([k, { expect: _e, ...schema }]) => [k, schema])),
});

function describe(err: ErrorObject, env: Record<string, unknown>): string {
  const name = err.instancePath.replace(/^\//, '');
  const spec = CONFIG_SPEC[name as keyof typeof CONFIG_SPEC];
  const got = env[name];
  return `${name} 应为 ${spec?.expect ?? err.message}, 实际为 ${JSON.stringify(got)}`;
}

/** The variables CONFIG_SPEC knows, as set ('' counts as unset). */
function pickVariables(env: NodeJS.ProcessEnv): Record<string, unknown> {
  const picked: Record<string, unknown> = {};
  for (const key of Object.keys(CONFIG_SPEC)) {
    const value = env[key];
    if (value !== undefined && value !== '') picked[key] = value;
  }
  return picked;
}

/** What the schema cannot say: rules between variables. */
function checkCombinations(config: ConfigFields): void {
  try {
    new RegExp(config.CODE_MANUAL_PATTERN);
  } catch {
    throw new ConfigError(
      `配置错误 (configuration error): CODE_MANUAL_PATTERN 应为合法的正则表达式, 实际为 ${JSON.stringify(config.CODE_MANUAL_PATTERN)}`,
    );
  }
  if (config.METRICS_PORT !== undefined && config.METRICS_PORT === config.PORT) {
    throw new ConfigError(
      `配置错误 (configuration error): METRICS_PORT 应与 PORT 不同 (都是 ${config.PORT}); 要在主端口上提供 /metrics, 请只设置 METRICS_TOKEN`,
    );
  }
  if (config.PUBLIC_URL.startsWith('https://') && !config.TRUST_PROXY) {
    // TLS ends at a proxy in front of us; without trusting it, secure cookies cannot be set.
    throw new ConfigError(
      '配置错误 (configuration error): PUBLIC_URL 是 https 地址时, TLS 在反向代理上终止, 请同时设置 TRUST_PROXY=true',
    );
  }
}

/** Reads and validates configuration; throws one ConfigError naming every bad variable. The result is frozen. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const picked = pickVariables(env);
  const raw = { ...picked };
  if (!validate(picked)) {
    const lines = (validate.errors ?? []).map((e) => describe(e, raw));
    throw new ConfigError(`配置错误 (configuration error): ${[...new Set(lines)].join('; ')}`);
  }
  const config = picked as unknown as ConfigFields;
  config.PUBLIC_URL ||= `http://localhost:${config.PORT}`;
  // The default SQLite file lives in DATA_DIR, beside the dev keys that read it (.env.example says so).
  if (raw.DATABASE_URL === undefined)
    config.DATABASE_URL = `sqlite:${config.DATA_DIR.replace(/\/+$/, '')}/steward.sqlite`;
  checkCombinations(config);
  // Non-enumerable: logging or serialising the config never prints the raw variables.
  Object.defineProperty(config, 'env', { value: Object.freeze({ ...env }), enumerable: false });
  return Object.freeze(config);
}
