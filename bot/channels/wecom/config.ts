import type { Core } from '../../../core/context.js';
import type { ChannelConfig } from '../contract.js';
import { AES_KEY_SPEC, envProblems, envValue, missing, TEXT_SPEC, URL_SPEC, type EnvSpec } from '../env.js';
import { onVendorHost } from '../hosts.js';

const SPECS: Record<string, EnvSpec> = {
  WECOM_CORP_ID: TEXT_SPEC('企业 ID (CorpID)'),
  WECOM_TOKEN: TEXT_SPEC('回调 Token'),
  WECOM_AES_KEY: AES_KEY_SPEC,
  WECOM_AGENT_ID: { pattern: /^[0-9]+$/, expect: '应用 AgentId (digits)' },
  WECOM_SECRET: TEXT_SPEC('应用 Secret'),
  WECOM_BOT_TOKEN: TEXT_SPEC('智能机器人 Token'),
  WECOM_BOT_AES_KEY: AES_KEY_SPEC,
  WECOM_GROUP_WEBHOOK_KEY: TEXT_SPEC('群消息推送 webhook key'),
  WECOM_API_BASE: URL_SPEC,
};

/**
 * The AI bot long connection (智能机器人 → API 模式 → 长连接, developer.work.weixin.qq.com
 * path/101463); checked by configureAibotSocket.
 */
const AIBOT_SOCKET_ENV_KEYS = ['WECOM_BOT_ID', 'WECOM_BOT_SECRET', 'WECOM_BOT_WS_URL'] as const;

/** The variables of this channel's env block (.env.example must cover them). */
export const ENV_KEYS = [...Object.keys(SPECS), ...AIBOT_SOCKET_ENV_KEYS];

/** WeCom's public API host; WECOM_API_BASE (a proxy, a test fake) is allowed besides. */
const WECOM_HOSTS = ['qyapi.weixin.qq.com'];

/** The WeCom block, read from the environment. */
export interface WecomSettings {
  corpId?: string;
  token?: string;
  aesKey?: string;
  agentId?: string;
  secret?: string;
  botToken?: string;
  botAesKey?: string;
  botId?: string;
  botSecret?: string;
  groupWebhookKey?: string;
  apiBase: string;
  /** The self-built app can send (1:1 messages, cards, card updates). */
  app: boolean;
  /** The self-built app's callback (/webhooks/wecom) can be verified. */
  appCallback: boolean;
  /** The AI bot's HTTP callback (/webhooks/wecom-bot). */
  aiBot: boolean;
  /** The AI bot's long connection (bot id and secret; aibotSocketSettings has the rest). */
  aiBotSocket: boolean;
  /** The group push webhook. */
  group: boolean;
}

/** Reads the block; '' counts as unset. */
export function wecomSettings(env: Record<string, string | undefined>): WecomSettings {
  const v = (k: string) => envValue(env, k);
  const s = {
    corpId: v('WECOM_CORP_ID'),
    token: v('WECOM_TOKEN'),
    aesKey: v('WECOM_AES_KEY'),
    agentId: v('WECOM_AGENT_ID'),
    secret: v('WECOM_SECRET'),
    botToken: v('WECOM_BOT_TOKEN'),
    botAesKey: v('WECOM_BOT_AES_KEY'),
    botId: v('WECOM_BOT_ID'),
    botSecret: v('WECOM_BOT_SECRET'),
    groupWebhookKey: v('WECOM_GROUP_WEBHOOK_KEY'),
    apiBase: (v('WECOM_API_BASE') ?? 'https://qyapi.weixin.qq.com').replace(/\/$/, ''),
  };
  return {
    ...s,
    app: Boolean(s.corpId && s.secret && s.agentId),
    appCallback: Boolean(s.corpId && s.token && s.aesKey),
    aiBot: Boolean(s.botToken && s.botAesKey),
    aiBotSocket: Boolean(s.botId && s.botSecret),
    group: Boolean(s.groupWebhookKey),
  };
}

/** The block, as this core's config holds it (a test wanting other values builds another core). */
export function settingsOf(core: Core): WecomSettings {
  return wecomSettings(core.config.env ?? {});
}

/** Validates the block: bad values, and halves of a pair. */
export function configureWecom(env: Record<string, string | undefined>): ChannelConfig {
  const s = wecomSettings(env);
  const socket = configureAibotSocket(env);
  const problems = [...envProblems(env, SPECS), ...socket.problems];
  const pairs: [string, string, string][] = [
    ['WECOM_TOKEN', 'WECOM_AES_KEY', '自建应用回调'],
    ['WECOM_BOT_TOKEN', 'WECOM_BOT_AES_KEY', '智能机器人回调'],
  ];
  for (const [a, b, what] of pairs) {
    if (envValue(env, a) && !envValue(env, b)) problems.push(missing(b, `${what}需要 ${a} 和 ${b}`));
    if (envValue(env, b) && !envValue(env, a)) problems.push(missing(a, `${what}需要 ${a} 和 ${b}`));
  }
  if (s.appCallback && !s.app)
    problems.push(
      missing(
        s.secret ? 'WECOM_AGENT_ID' : 'WECOM_SECRET',
        '自建应用回调已配置, 发消息还需要 WECOM_AGENT_ID 和 WECOM_SECRET',
      ),
    );
  return { enabled: s.app || s.appCallback || s.aiBot || socket.enabled || s.group, problems };
}

/** A URL taken from a message (an AI bot `response_url`) is followed only to WeCom's own API host. */
export function isWecomUrl(core: Core, url: unknown): url is string {
  return onVendorHost(url, WECOM_HOSTS, [settingsOf(core).apiBase]);
}

/** The SDK's own default (README «WSClientOptions.wsUrl»); private deployments see theirs in the admin console. */
export const DEFAULT_AIBOT_WS_URL = 'wss://openws.work.weixin.qq.com';

export interface AibotSocketSettings {
  botId: string;
  secret: string;
  wsUrl: string;
}

const present = (v: string | undefined): v is string => typeof v === 'string' && v.trim() !== '';

function validWsUrl(url: string): boolean {
  try {
    const u = new URL(url);
    return (u.protocol === 'wss:' || u.protocol === 'ws:') && !u.username && !u.password;
  } catch {
    return false;
  }
}

/** Validates the long connection's keys: both credentials or neither, and a ws(s):// URL when one is given. */
export function configureAibotSocket(env: Record<string, string | undefined>): ChannelConfig {
  const problems: string[] = [];
  const id = env.WECOM_BOT_ID;
  const secret = env.WECOM_BOT_SECRET;
  if (present(id) && !/^[A-Za-z0-9_-]{1,128}$/.test(id)) {
    problems.push(`WECOM_BOT_ID 应为智能机器人的 BotID (字母、数字、_ 或 -), 实际为 ${JSON.stringify(id)}`);
  }
  if (present(id) && !present(secret))
    problems.push('WECOM_BOT_SECRET 应为智能机器人长连接的 Secret, 实际未设置 (已设置 WECOM_BOT_ID)');
  if (present(secret) && !present(id))
    problems.push('WECOM_BOT_ID 应为智能机器人的 BotID, 实际未设置 (已设置 WECOM_BOT_SECRET)');
  const url = env.WECOM_BOT_WS_URL;
  if (present(url) && !validWsUrl(url)) {
    problems.push(
      `WECOM_BOT_WS_URL 应为 ws:// 或 wss:// 开头的长连接地址, 例如 ${DEFAULT_AIBOT_WS_URL}, 实际为 ${JSON.stringify(url)}`,
    );
  }
  return { enabled: present(id) && present(secret) && problems.length === 0, problems };
}

/** The long connection's settings from `core.config.env`, or null when it is not configured (or misconfigured). */
export function aibotSocketSettings(core: Core): AibotSocketSettings | null {
  const env = core.config.env ?? {};
  if (!configureAibotSocket(env).enabled) return null;
  return {
    botId: env.WECOM_BOT_ID!.trim(),
    secret: env.WECOM_BOT_SECRET!.trim(),
    wsUrl: present(env.WECOM_BOT_WS_URL) ? env.WECOM_BOT_WS_URL.trim() : DEFAULT_AIBOT_WS_URL,
  };
}
