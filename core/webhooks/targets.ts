import dns from 'node:dns';
import net from 'node:net';
import type { Config } from '../config.js';
import { DomainError, validationError } from '../errors.js';

/**
 * Addresses a webhook may not reach unless allowed: loopback, private, link-local, unspecified,
 * multicast, carrier-grade NAT, reserved, IPv6 ULA and link-local. net.BlockList also matches
 * IPv4-mapped IPv6 (::ffff:127.0.0.1) against the IPv4 rules.
 */
const BLOCKED = (() => {
  const list = new net.BlockList();
  const v4: Array<[string, number]> = [
    ['0.0.0.0', 8],
    ['10.0.0.0', 8],
    ['100.64.0.0', 10],
    ['127.0.0.0', 8],
    ['169.254.0.0', 16],
    ['172.16.0.0', 12],
    ['192.0.0.0', 24],
    ['192.0.2.0', 24],
    ['192.168.0.0', 16],
    ['198.18.0.0', 15],
    ['198.51.100.0', 24],
    ['203.0.113.0', 24],
    ['224.0.0.0', 4],
    ['240.0.0.0', 4],
  ];
  const v6: Array<[string, number]> = [
    ['::', 128],
    ['::1', 128],
    ['fe80::', 10],
    ['fec0::', 10],
    ['fc00::', 7],
    ['ff00::', 8],
    ['64:ff9b::', 96],
    ['2001:db8::', 32],
  ];
  for (const [a, p] of v4) list.addSubnet(a, p, 'ipv4');
  for (const [a, p] of v6) list.addSubnet(a, p, 'ipv6');
  return list;
})();

/** True when the IP literal is one a webhook must not reach by default. */
export function isPrivateAddress(ip: string): boolean {
  const family = net.isIP(ip);
  if (!family) return false;
  return BLOCKED.check(ip, family === 6 ? 'ipv6' : 'ipv4');
}

/** WEBHOOK_ALLOW_HOSTS as a lower-case set of host names and IPs. */
export function allowedHosts(config: Pick<Config, 'WEBHOOK_ALLOW_HOSTS'>): Set<string> {
  return new Set(
    (config.WEBHOOK_ALLOW_HOSTS ?? '')
      .split(/[,，\s]+/)
      .map((h) => bareHost(h.trim().toLowerCase()))
      .filter(Boolean),
  );
}

/** A URL host without IPv6 brackets. */
export function bareHost(host: string): string {
  return host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
}

/** Throws when `ip` (resolved for `host`) is private and neither is in WEBHOOK_ALLOW_HOSTS. */
export function assertReachable(config: Pick<Config, 'WEBHOOK_ALLOW_HOSTS'>, host: string, ip: string): void {
  if (!isPrivateAddress(ip)) return;
  const allow = allowedHosts(config);
  if (allow.has(bareHost(host.toLowerCase())) || allow.has(ip.toLowerCase())) return;
  const shown = bareHost(host) === ip ? ip : `${host} (${ip})`;
  throw new DomainError(
    'VALIDATION',
    `webhook 地址 ${shown} 是内网、本机或保留地址, 默认不允许推送。如确需推送到内网系统, 请把该主机加入 WEBHOOK_ALLOW_HOSTS (逗号分隔) 后重启服务。`,
    { field: 'url', host, ip },
  );
}

/** Parses and checks a subscription URL's form: http(s), a host, no user:password part. */
export function parseTargetUrl(raw: string): URL {
  const text = String(raw ?? '').trim();
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw validationError([
      {
        field: 'url',
        message: `webhook 地址「${text.slice(0, 100)}」不是合法的网址, 应为 http:// 或 https:// 开头, 例如 https://erp.example.com/hooks/steward`,
      },
    ]);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw validationError([
      { field: 'url', message: `webhook 地址只支持 http:// 或 https://, 收到「${url.protocol}」` },
    ]);
  if (url.username || url.password)
    throw validationError([
      { field: 'url', message: 'webhook 地址里不要写用户名和密码; 接收方请用签名 (X-Steward-Signature) 验证来源' },
    ]);
  if (text.length > 500) throw validationError([{ field: 'url', message: 'webhook 地址最长 500 个字符' }]);
  return url;
}

/** Resolves the URL's host and refuses it if any address is private (subscribe-time check). */
export async function checkTarget(config: Pick<Config, 'WEBHOOK_ALLOW_HOSTS'>, url: URL): Promise<void> {
  const host = bareHost(url.hostname);
  if (net.isIP(host)) return assertReachable(config, host, host);
  let addresses: dns.LookupAddress[];
  try {
    addresses = await dns.promises.lookup(host, { all: true, verbatim: true });
  } catch {
    throw validationError([{ field: 'url', message: `找不到主机「${host}」(DNS 解析失败), 请检查 webhook 地址` }]);
  }
  for (const a of addresses) assertReachable(config, host, a.address);
}
