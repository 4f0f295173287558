import { FileFetchError, fetchFile } from '../../files/fetch.js';
import type { FileAttachment } from '../contract.js';
import { urlFromMessage } from '../hosts.js';
import { aibotSdk } from './sdk.js';

/**
 * Where WeCom serves AI bot media: its own hosts, and the COS bucket its image/file URLs point at
 * (ww-aibot-img-1258476243.cos.<region>.myqcloud.com, as seen in authentic callbacks; other
 * myqcloud.com buckets belong to anyone and are refused).
 */
const WECOM_MEDIA_HOST = /^(?:[a-z0-9-]+\.)*weixin\.qq\.com$|^ww-aibot-img-1258476243\.cos\.[a-z0-9-]+\.myqcloud\.com$/;

/**
 * True when `url` may be fetched: https on a WeCom media host, or the exact host of the configured
 * long-connection URL (a private deployment, or the loopback fake in tests) with the matching scheme.
 */
export function isAibotFileUrl(url: string, wsUrl: string): boolean {
  const u = urlFromMessage(url);
  if (!u) return false;
  if (u.protocol === 'https:' && WECOM_MEDIA_HOST.test(u.hostname) && (u.port === '' || u.port === '443')) return true;
  const ws = urlFromMessage(wsUrl);
  const scheme = ws?.protocol === 'wss:' ? 'https:' : ws?.protocol === 'ws:' ? 'http:' : '';
  return Boolean(ws && ws.host === u.host && scheme === u.protocol);
}

/**
 * A file sent to the bot over the long connection: a short-lived URL serving the file AES-256-CBC
 * encrypted with the message's own `aeskey` (IV = key's first 16 bytes, PKCS#7 to 32; the SDK's
 * `decryptFile`). The name comes from the download's Content-Disposition.
 */
export function aibotFile(url: string, aeskey: string | undefined, wsUrl: string): FileAttachment {
  return {
    name: null,
    async download(maxBytes) {
      // Checked before any request: the URL comes from a message.
      if (!isAibotFileUrl(url, wsUrl)) throw new FileFetchError('download', 'file url is not on a WeCom host');
      if (!aeskey || Buffer.from(aeskey, 'base64').length !== 32)
        throw new FileFetchError('decrypt', 'file message without a usable aeskey');
      // Padding adds at most 32 bytes to the ciphertext.
      const got = await fetchFile(url, { maxBytes: maxBytes + 32, timeoutMs: 30_000 });
      let data: Buffer;
      try {
        data = aibotSdk().decryptFile(got.data, aeskey);
      } catch (err) {
        throw new FileFetchError('decrypt', (err as Error).message);
      }
      if (data.length > maxBytes) throw new FileFetchError('too-large', `decrypted file is ${data.length} bytes`);
      return { data, name: got.name };
    },
  };
}
