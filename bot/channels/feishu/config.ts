import type { Core } from '../../../core/context.js';
import type { ChannelConfig } from '../contract.js';

/** The Feishu/Lark env block; nothing else in the code base reads these names. */
export const ENV_KEYS = [
  'FEISHU_APP_ID',
  'FEISHU_APP_SECRET',
  'FEISHU_MODE',
  'FEISHU_VERIFICATION_TOKEN',
  'FEISHU_ENCRYPT_KEY',
  'FEISHU_DOMAIN',
  'FEISHU_GROUP_CHAT_ID',
] as const;

export type FeishuMode = 'ws' | 'http';

/** The validated block. */
export interface FeishuSettings {
  appId: string;
  appSecret: string;
  mode: FeishuMode;
  verificationToken: string | null;
  encryptKey: string | null;
  /** Open-platform base URL without a trailing slash: https://open.feishu.cn, https://open.larksuite.com, or a test fake. */
  domain: string;
  groupChatId: string | null;
}

export const DEFAULT_DOMAIN = 'https://open.feishu.cn';

// The SDK's WSClient.start() silently does nothing for any other shape, so refuse it up front.
const APP_ID = /^cli_[0-9a-fA-F]{16}$/;
const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

type Env = Record<string, string | undefined>;
const value = (env: Env, key: (typeof ENV_KEYS)[number]): string | undefined => {
  const v = env[key]?.trim();
  return v ? v : undefined;
};

function domainProblem(raw: string): string | null {
  const expect = `FEISHU_DOMAIN 应为飞书开放平台地址, 例如 https://open.feishu.cn 或 https://open.larksuite.com (Lark), 实际为 ${JSON.stringify(raw)}`;
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    return expect;
  }
  if (u.username || u.password || u.search || u.hash || (u.pathname !== '/' && u.pathname !== '')) return expect;
  // Plain http only for a loopback fake: the app secret travels in the token request.
  if (u.protocol === 'https:' || (u.protocol === 'http:' && LOOPBACK.has(u.hostname))) return null;
  return expect;
}

/** The app's credentials: both set, each in its shape. */
function credentialProblems(appId: string | undefined, secret: string | undefined): string[] {
  const problems: string[] = [];
  if (!appId) problems.push('FEISHU_APP_ID 未设置: 设置了 FEISHU_APP_SECRET 时也要设置飞书应用的 App ID (cli_ 开头)');
  else if (!APP_ID.test(appId))
    problems.push(
      `FEISHU_APP_ID 应为 cli_ 开头加 16 位十六进制的应用 ID (开发者后台 → 凭证与基础信息), 实际为 ${JSON.stringify(appId)}`,
    );
  if (!secret) problems.push('FEISHU_APP_SECRET 未设置: 设置了 FEISHU_APP_ID 时也要设置应用的 App Secret');
  else if (!/^\S{8,128}$/.test(secret))
    problems.push('FEISHU_APP_SECRET 应为开发者后台的 App Secret (无空格的字符串), 当前值格式不对');
  return problems;
}

/** The receiving mode; the HTTP callback also needs its token and the key its signature uses. */
function modeProblems(env: Env): string[] {
  const problems: string[] = [];
  const mode = value(env, 'FEISHU_MODE') ?? 'ws';
  if (mode !== 'ws' && mode !== 'http')
    problems.push(
      `FEISHU_MODE 应为 ws (长连接, 默认, 无需公网地址) 或 http (事件回调), 实际为 ${JSON.stringify(mode)}`,
    );
  if (mode !== 'http') return problems;
  if (!value(env, 'FEISHU_VERIFICATION_TOKEN'))
    problems.push(
      'FEISHU_VERIFICATION_TOKEN 未设置: FEISHU_MODE=http 时需要开发者后台 → 事件与回调 → 加密策略中的 Verification Token',
    );
  if (!value(env, 'FEISHU_ENCRYPT_KEY'))
    problems.push(
      'FEISHU_ENCRYPT_KEY 未设置: FEISHU_MODE=http 时需要在开发者后台 → 事件与回调 → 加密策略中设置 Encrypt Key, 回调才有签名可验',
    );
  return problems;
}

/** Reads and validates the block; pure. `enabled` needs both FEISHU_APP_ID and FEISHU_APP_SECRET. */
export function configure(env: Env): ChannelConfig {
  const appId = value(env, 'FEISHU_APP_ID');
  const secret = value(env, 'FEISHU_APP_SECRET');
  if (!appId && !secret) return { enabled: false, problems: [] };
  const problems = [...credentialProblems(appId, secret), ...modeProblems(env)];
  const domain = value(env, 'FEISHU_DOMAIN');
  const domainIssue = domain ? domainProblem(domain) : null;
  if (domainIssue) problems.push(domainIssue);
  const group = value(env, 'FEISHU_GROUP_CHAT_ID');
  if (group && !/^oc_[0-9A-Za-z]{4,64}$/.test(group))
    problems.push(`FEISHU_GROUP_CHAT_ID 应为 oc_ 开头的群 chat_id, 实际为 ${JSON.stringify(group)}`);
  return { enabled: true, problems };
}

/** The validated block from `core.config.env`, or null when the channel is off or misconfigured. */
export function settings(core: Core): FeishuSettings | null {
  return settingsFrom(core.config.env);
}

/** As settings(), from a raw env record. */
export function settingsFrom(env: Env): FeishuSettings | null {
  const checked = configure(env);
  if (!checked.enabled || checked.problems.length > 0) return null;
  return {
    appId: value(env, 'FEISHU_APP_ID')!,
    appSecret: value(env, 'FEISHU_APP_SECRET')!,
    mode: (value(env, 'FEISHU_MODE') ?? 'ws') as FeishuMode,
    verificationToken: value(env, 'FEISHU_VERIFICATION_TOKEN') ?? null,
    encryptKey: value(env, 'FEISHU_ENCRYPT_KEY') ?? null,
    domain: (value(env, 'FEISHU_DOMAIN') ?? DEFAULT_DOMAIN).replace(/\/+$/, ''),
    groupChatId: value(env, 'FEISHU_GROUP_CHAT_ID') ?? null,
  };
}
