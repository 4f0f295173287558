/** Why a file a user sent could not be fetched; the import door turns each into its own Chinese message. */
export type FileFetchFailure = 'too-large' | 'download' | 'decrypt' | 'not-found';

/** A file download that failed; `message` is English, for the logs. */
export class FileFetchError extends Error {
  constructor(
    readonly kind: FileFetchFailure,
    message: string,
  ) {
    super(message);
    this.name = 'FileFetchError';
  }
}

export interface FetchedFile {
  data: Buffer;
  /** The file name the server gave in Content-Disposition, if any. */
  name: string | null;
  contentType: string;
}

export interface FetchFileOptions {
  method?: 'GET' | 'POST';
  headers?: Record<string, string>;
  body?: string;
  /** Refuse (and stop reading) past this many bytes. */
  maxBytes: number;
  timeoutMs?: number;
  /** Tries on network errors and 5xx. */
  attempts?: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Downloads a file into memory, never holding more than `maxBytes`: a declared Content-Length over
 * the cap is refused before the body is read, and a body that grows past it is cut off.
 */
export async function fetchFile(url: string, opts: FetchFileOptions): Promise<FetchedFile> {
  const attempts = opts.attempts ?? 2;
  let last: FileFetchError = new FileFetchError('download', `no attempt made for ${safePath(url)}`);
  for (let i = 0; i < attempts; i++) {
    if (i > 0) await sleep(200 * i);
    let res: Response;
    try {
      res = await fetch(url, {
        method: opts.method ?? 'GET',
        headers: opts.headers,
        body: opts.body,
        signal: AbortSignal.timeout(opts.timeoutMs ?? 60_000),
      });
    } catch (err) {
      last = new FileFetchError('download', `network error fetching ${safePath(url)}: ${(err as Error).message}`);
      continue;
    }
    if (res.status >= 500) {
      await res.body?.cancel().catch(() => undefined);
      last = new FileFetchError('download', `HTTP ${res.status} from ${safePath(url)}`);
      continue;
    }
    if (res.status >= 400) {
      const text = await res.text().catch(() => '');
      throw new FileFetchError('download', `HTTP ${res.status} from ${safePath(url)}: ${text.slice(0, 200)}`);
    }
    const data = await readCapped(res, opts.maxBytes, url);
    return {
      data,
      name: filenameFromDisposition(res.headers.get('content-disposition')),
      contentType: res.headers.get('content-type') ?? '',
    };
  }
  throw last;
}

async function readCapped(res: Response, maxBytes: number, url: string): Promise<Buffer> {
  const declared = Number(res.headers.get('content-length') ?? NaN);
  if (declared > maxBytes) {
    await res.body?.cancel().catch(() => undefined);
    throw new FileFetchError('too-large', `declared ${declared} bytes > ${maxBytes} from ${safePath(url)}`);
  }
  const chunks: Buffer[] = [];
  let size = 0;
  if (!res.body) return Buffer.alloc(0);
  const reader = res.body.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > maxBytes) {
        await reader.cancel().catch(() => undefined);
        throw new FileFetchError('too-large', `more than ${maxBytes} bytes from ${safePath(url)}`);
      }
      chunks.push(Buffer.from(value));
    }
  } catch (err) {
    if (err instanceof FileFetchError) throw err;
    throw new FileFetchError('download', `reading ${safePath(url)} failed: ${(err as Error).message}`);
  }
  return Buffer.concat(chunks);
}

/** A URL without its query string (tokens and signed parameters stay out of the logs). */
function safePath(url: string): string {
  try {
    const u = new URL(url);
    return `${u.host}${u.pathname}`;
  } catch {
    return 'an invalid URL';
  }
}

/**
 * The file name in a Content-Disposition header: RFC 5987 `filename*=UTF-8''…` first, else
 * `filename="…"` (servers in China often put raw UTF-8 or percent-encoding there).
 */
export function filenameFromDisposition(header: string | null): string | null {
  if (!header) return null;
  const star = /filename\*\s*=\s*(?:"?)([^;"]+)/i.exec(header);
  if (star?.[1]) {
    const value = star[1].trim().replace(/^[\w-]+'[^']*'/, '');
    const decoded = tryDecode(value);
    if (decoded) return decoded;
  }
  const plain = /filename\s*=\s*("([^"]*)"|[^;]+)/i.exec(header);
  const raw = (plain?.[2] ?? plain?.[1] ?? '').trim();
  if (!raw) return null;
  // Node hands header bytes over as latin1; a raw UTF-8 name has to be re-read.
  const utf8 = Buffer.from(raw, 'latin1').toString('utf8');
  const name = /\uFFFD/.test(utf8) ? raw : utf8;
  return tryDecode(name) ?? name;
}

function tryDecode(s: string): string | null {
  try {
    return decodeURIComponent(s).trim() || null;
  } catch {
    return null;
  }
}
