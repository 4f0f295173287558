import type { Core } from '../core/context.js';

/** The public API hosts; the configured *_BASE hosts (a proxy, or a test fake) are added to them. */
const WECOM_HOSTS = ['qyapi.weixin.qq.com'];
const DINGTALK_HOSTS = ['oapi.dingtalk.com', 'api.dingtalk.com'];

function hostOf(base: string | undefined): string | null {
  if (!base) return null;
  try {
    return new URL(base).host;
  } catch {
    return null;
  }
}

/** True when `url` is https on one of `hosts`, or on a configured base's exact host and scheme. */
function allowed(url: unknown, hosts: string[], bases: (string | undefined)[]): url is string {
  if (typeof url !== 'string' || url.length > 2048) return false;
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return false;
  }
  if (u.username || u.password) return false;
  if (u.protocol === 'https:' && hosts.includes(u.host)) return true;
  return bases.some((b) => {
    const host = hostOf(b);
    return host !== null && host === u.host && new URL(b!).protocol === u.protocol;
  });
}

/**
 * A URL taken from a message (a DingTalk sessionWebhook) may be followed only to DingTalk itself:
 * the robot signature covers the timestamp, not the body, so the body's URLs are not authentic.
 */
export function isDingtalkUrl(core: Core, url: unknown): url is string {
  return allowed(url, DINGTALK_HOSTS, [core.config.DINGTALK_API_BASE, core.config.DINGTALK_OAPI_BASE]);
}

/** A WeCom AI bot `response_url` is followed only to WeCom's own API host. */
export function isWecomUrl(core: Core, url: unknown): url is string {
  return allowed(url, WECOM_HOSTS, [core.config.WECOM_API_BASE]);
}
