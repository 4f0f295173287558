function hostOf(base: string | undefined): string | null {
  if (!base) return null;
  try {
    return new URL(base).host;
  } catch {
    return null;
  }
}

/**
 * True when `url` is https on one of the vendor's `hosts`, or on a configured base's exact host
 * and scheme (a proxy, or a test fake). A channel checks every URL taken from a message with this
 * before it goes into a reply handle: nothing is ever posted to a host a message names.
 */
export function onVendorHost(url: unknown, hosts: readonly string[], bases: (string | undefined)[]): url is string {
  const u = urlFromMessage(url);
  if (!u) return false;
  if (u.protocol === 'https:' && hosts.includes(u.host)) return true;
  return bases.some((b) => {
    const host = hostOf(b);
    return host !== null && host === u.host && new URL(b!).protocol === u.protocol;
  });
}

/** A URL taken from a message, parsed; null when it is not a string, too long, unparsable or carries credentials. */
export function urlFromMessage(url: unknown): URL | null {
  if (typeof url !== 'string' || url.length > 2048) return null;
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return null;
  }
  return u.username || u.password ? null : u;
}
