import type { Core } from '../../../core/context.js';
import type { ChannelConfig } from '../contract.js';
import { envProblems, envValue, missing, TEXT_SPEC, URL_SPEC, type EnvSpec } from '../env.js';
import { onVendorHost } from '../hosts.js';

const SPECS: Record<string, EnvSpec> = {
  DINGTALK_MODE: {
    values: ['stream', 'http'],
    expect: 'stream (长连接, 不需要公网地址) 或 http (回调到 PUBLIC_URL/webhooks/dingtalk)',
  },
  DINGTALK_APP_KEY: TEXT_SPEC('AppKey (Client ID)'),
  DINGTALK_APP_SECRET: TEXT_SPEC('AppSecret (Client Secret)'),
  DINGTALK_ROBOT_CODE: TEXT_SPEC('robotCode'),
  DINGTALK_GROUP_WEBHOOK: { pattern: /^https?:\/\/\S+$/, expect: '自定义机器人 webhook 地址 (含 access_token)' },
  DINGTALK_GROUP_SECRET: { pattern: /^SEC/, expect: '自定义机器人加签密钥 (以 SEC 开头)' },
  DINGTALK_API_BASE: URL_SPEC,
  DINGTALK_OAPI_BASE: URL_SPEC,
  // A card platform template id: `<uuid>.schema` for a custom template, or a built-in name.
  DINGTALK_CARD_TEMPLATE_ID: {
    pattern: /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/,
    expect: '钉钉卡片平台的模板 ID (例如 xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx.schema)',
  },
};

/** The variables of this channel's env block (.env.example must cover them). */
export const ENV_KEYS = Object.keys(SPECS);

/** DingTalk's public API hosts; the configured *_BASE hosts are allowed besides. */
const DINGTALK_HOSTS = ['oapi.dingtalk.com', 'api.dingtalk.com'];

/** The DingTalk block, read from the environment. */
export interface DingtalkSettings {
  /** How the app robot receives: Stream (outbound long connection) or HTTP callbacks. */
  mode: 'stream' | 'http';
  appKey?: string;
  appSecret?: string;
  /** The robot's code; for an internal app's robot it is the AppKey, the default. */
  robotCode?: string;
  groupWebhook?: string;
  groupSecret?: string;
  apiBase: string;
  oapiBase: string;
  /** The OpenAPI can send (1:1 robot messages, group messages by openConversationId). */
  api: boolean;
  /** The custom group robot (notices to one group). */
  customRobot: boolean;
  /** The interactive card template for replies with buttons (Stream mode; see interactive-card.ts). */
  cardTemplateId?: string;
}

/** Reads the block; '' counts as unset. Stream is the default unless there is a public URL for callbacks. */
export function dingtalkSettings(env: Record<string, string | undefined>): DingtalkSettings {
  const v = (k: string) => envValue(env, k);
  const appKey = v('DINGTALK_APP_KEY');
  const appSecret = v('DINGTALK_APP_SECRET');
  const robotCode = v('DINGTALK_ROBOT_CODE') ?? appKey;
  const mode =
    v('DINGTALK_MODE') === 'http' || v('DINGTALK_MODE') === 'stream'
      ? (v('DINGTALK_MODE') as 'stream' | 'http')
      : v('PUBLIC_URL') && appSecret
        ? 'http'
        : 'stream';
  return {
    mode,
    appKey,
    appSecret,
    robotCode,
    groupWebhook: v('DINGTALK_GROUP_WEBHOOK'),
    groupSecret: v('DINGTALK_GROUP_SECRET'),
    apiBase: (v('DINGTALK_API_BASE') ?? 'https://api.dingtalk.com').replace(/\/$/, ''),
    oapiBase: (v('DINGTALK_OAPI_BASE') ?? 'https://oapi.dingtalk.com').replace(/\/$/, ''),
    api: Boolean(appKey && appSecret && robotCode),
    customRobot: Boolean(v('DINGTALK_GROUP_WEBHOOK')),
    cardTemplateId: v('DINGTALK_CARD_TEMPLATE_ID')?.trim() || undefined,
  };
}

/** The block, as this core's config holds it (a test wanting other values builds another core). */
export function settingsOf(core: Core): DingtalkSettings {
  return dingtalkSettings(core.config.env ?? {});
}

/** Validates the block: bad values, and what each mode needs. */
export function configureDingtalk(env: Record<string, string | undefined>): ChannelConfig {
  const s = dingtalkSettings(env);
  const problems = envProblems(env, SPECS);
  const robot = Boolean(s.appKey || s.appSecret);
  if (robot && !s.appSecret)
    problems.push(missing('DINGTALK_APP_SECRET', `钉钉应用机器人需要 DINGTALK_APP_KEY 和 DINGTALK_APP_SECRET`));
  if (robot && s.mode === 'stream' && !s.appKey)
    problems.push(missing('DINGTALK_APP_KEY', 'Stream 模式用 AppKey 和 AppSecret 建立长连接'));
  if (s.cardTemplateId && !(s.appKey && s.appSecret))
    problems.push('DINGTALK_CARD_TEMPLATE_ID 需要同时配置应用机器人的 DINGTALK_APP_KEY 和 DINGTALK_APP_SECRET');
  if (s.groupSecret && !s.groupWebhook)
    problems.push(missing('DINGTALK_GROUP_WEBHOOK', 'DINGTALK_GROUP_SECRET 是自定义机器人的加签密钥'));
  return { enabled: robot || s.customRobot, problems };
}

/**
 * A URL taken from a message (a DingTalk sessionWebhook) may be followed only to DingTalk itself:
 * the robot signature covers the timestamp, not the body, so the body's URLs are not authentic.
 */
export function isDingtalkUrl(core: Core, url: unknown): url is string {
  const s = settingsOf(core);
  return onVendorHost(url, DINGTALK_HOSTS, [s.apiBase, s.oapiBase]);
}
