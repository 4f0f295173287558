import type { Readable } from 'node:stream';
import type { Logger } from '../../../core/logger.js';
import { FileFetchError, filenameFromDisposition } from '../../files/fetch.js';
import type { FileAttachment } from '../contract.js';
import { apiClient } from './client.js';
import type { FeishuSettings } from './config.js';

/** Reads a stream into memory, cutting it off past `maxBytes`. */
async function readCapped(stream: Readable, maxBytes: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of stream) {
      const buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as Uint8Array);
      size += buf.length;
      if (size > maxBytes) {
        stream.destroy();
        throw new FileFetchError('too-large', `feishu file: more than ${maxBytes} bytes`);
      }
      chunks.push(buf);
    }
  } catch (err) {
    if (err instanceof FileFetchError) throw err;
    throw new FileFetchError('download', `feishu file: reading failed: ${(err as Error).message}`);
  }
  return Buffer.concat(chunks);
}

function failure(err: unknown): FileFetchError {
  const status = (err as { response?: { status?: number } })?.response?.status;
  if (status === 404) return new FileFetchError('not-found', 'feishu file: HTTP 404');
  return new FileFetchError(
    'download',
    `feishu file: ${status ? `HTTP ${status}` : ((err as Error)?.message ?? 'failed')}`,
  );
}

/**
 * A file sent in chat: the bytes come from GET /open-apis/im/v1/messages/:message_id/resources/:file_key
 * (type=file) only when the pipeline asks, never more than `maxBytes` of them.
 */
export function feishuFile(
  s: FeishuSettings,
  log: Logger,
  messageId: string,
  fileKey: string,
  name: string | null,
): FileAttachment {
  return {
    name,
    async download(maxBytes: number) {
      let res: { getReadableStream(): Readable; headers: Record<string, unknown> };
      try {
        res = await apiClient(s, log).im.messageResource.get({
          path: { message_id: messageId, file_key: fileKey },
          params: { type: 'file' },
        });
      } catch (err) {
        throw failure(err);
      }
      const stream = res.getReadableStream();
      const declared = Number(res.headers['content-length'] ?? NaN);
      if (declared > maxBytes) {
        stream.destroy();
        throw new FileFetchError('too-large', `feishu file: declared ${declared} bytes > ${maxBytes}`);
      }
      const data = await readCapped(stream, maxBytes);
      const disposition = res.headers['content-disposition'];
      return { data, name: name ?? filenameFromDisposition(typeof disposition === 'string' ? disposition : null) };
    },
  };
}
