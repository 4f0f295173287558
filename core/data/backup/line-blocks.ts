import { jsonValue, type Kind, type TableSpec } from './tables.js';

/**
 * How a backup line holds a row: `array` (format 2, columns named once in the manifest) or
 * `object` (format 1, every line repeats the column names; still read and verified).
 */
export type LineShape = 'array' | 'object';

/** Bytes per output block: large enough for few gzip calls, small enough to stay in cache. */
export const BLOCK = 256 * 1024;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const HEX = '0123456789abcdef';
// JSON.stringify's short escapes; every other control character becomes \u00xx.
const SHORT: Record<number, number> = { 0x08: 0x62, 0x09: 0x74, 0x0a: 0x6e, 0x0c: 0x66, 0x0d: 0x72 };
const TRUE = Buffer.from('true');
const FALSE = Buffer.from('false');
const NULL = Buffer.from('null');

/**
 * Backup lines written straight into UTF-8 blocks. Rows come either as values (SQLite, encoded
 * through `jsonValue`) or as MySQL's text-protocol bytes, which are copied with JSON escaping and
 * never decoded into strings (decoding and re-encoding a million rows was half a backup's time).
 * Both give, byte for byte, what JSON.stringify gives for the normalised row.
 */
export class LineBlocks {
  private block = Buffer.allocUnsafe(BLOCK);
  private used = 0;
  private blockRows = 0;
  private readonly full: { block: Buffer; rows: number }[] = [];
  private readonly prefixes: Buffer[];
  private readonly prefixText: string[];
  private readonly close: number;
  private readonly fixedBytes: number;
  private readonly starts: Int32Array;
  private readonly lengths: Int32Array;

  constructor(
    private readonly spec: TableSpec,
    shape: LineShape,
  ) {
    this.prefixText = spec.columns.map((c, i) =>
      shape === 'array' ? (i ? ',' : '[') : `${i ? ',' : '{'}${JSON.stringify(c)}:`,
    );
    this.prefixes = this.prefixText.map((p) => Buffer.from(p));
    this.close = shape === 'array' ? 0x5d : 0x7d;
    this.fixedBytes = this.prefixes.reduce((a, p) => a + p.length, 0) + 2;
    this.starts = new Int32Array(spec.columns.length);
    this.lengths = new Int32Array(spec.columns.length);
  }

  /** Full blocks waiting to be taken. */
  get pending(): number {
    return this.full.length;
  }

  /** One row from already-decoded values. */
  addValues(values: unknown[]): void {
    const { spec } = this;
    let line = '';
    for (let i = 0; i < spec.columns.length; i++)
      line += `${this.prefixText[i]!}${jsonValue(spec.kinds[i]!, values[i], spec.scales[i]!)}`;
    line += spec.columns.length ? String.fromCharCode(this.close) : this.emptyLine();
    // A UTF-16 unit never takes more than 3 UTF-8 bytes.
    this.room(line.length * 3 + 1);
    this.used += this.block.write(line, this.used);
    this.endLine();
  }

  /**
   * One row as MySQL's text protocol sends it: the spec's columns as consecutive length-coded
   * values in `src` from `at`. Returns where they end. The bytes are copied with JSON escaping,
   * never decoded into strings.
   */
  addRow(src: Uint8Array, at: number): number {
    const { spec, prefixes, starts, lengths } = this;
    const n = spec.columns.length;
    // First pass: where each value is, so the block can be made big enough for the whole line.
    let p = at;
    let size = this.fixedBytes;
    for (let i = 0; i < n; i++) {
      p = lengthCoded(src, p);
      starts[i] = p;
      lengths[i] = lastLength;
      // Escaping takes at most 6 bytes per byte (\u00xx); an ISO date stays under 32.
      size += lastLength < 0 ? 4 : lastLength * 6 + 32;
      if (lastLength > 0) p += lastLength;
    }
    this.room(size);
    const b = this.block;
    let u = this.used;
    if (!n) u = putAll(b, u, Buffer.from(this.emptyLine()));
    for (let i = 0; i < n; i++) {
      u = putAll(b, u, prefixes[i]!);
      u = rawValue(b, u, spec.kinds[i]!, src, starts[i]!, lengths[i]!, spec.scales[i]!);
    }
    if (n) b[u++] = this.close;
    this.used = u;
    this.endLine();
    return p;
  }

  /** Full blocks, taken out. */
  take(): { block: Buffer; rows: number }[] {
    return this.full.splice(0, this.full.length);
  }

  /** Whatever is left, as the last block (or nothing). */
  finish(): { block: Buffer; rows: number }[] {
    if (this.used) this.flush(BLOCK);
    return this.take();
  }

  private emptyLine(): string {
    return this.close === 0x5d ? '[]' : '{}';
  }

  private room(bytes: number): void {
    if (this.used + bytes <= this.block.length) return;
    this.flush(Math.max(BLOCK, bytes));
  }

  private flush(next: number): void {
    if (this.used) this.full.push({ block: this.block.subarray(0, this.used), rows: this.blockRows });
    this.block = Buffer.allocUnsafe(next);
    this.used = 0;
    this.blockRows = 0;
  }

  private endLine(): void {
    this.block[this.used++] = 0x0a;
    this.blockRows++;
  }
}

// The length `lengthCoded` read last: -1 for NULL. (A module variable, so no pair per value.)
let lastLength = 0;

/** The length the last `lengthCoded` read: -1 for NULL. */
export function codedLength(): number {
  return lastLength;
}

/**
 * Reads a length-coded integer (MySQL protocol) at `p` (see `codedLength`) and returns where the
 * value's bytes start. 0xfb is NULL.
 */
export function lengthCoded(src: Uint8Array, p: number): number {
  const first = src[p]!;
  if (first < 0xfb) {
    lastLength = first;
    return p + 1;
  }
  switch (first) {
    case 0xfb:
      lastLength = -1;
      return p + 1;
    case 0xfc:
      lastLength = src[p + 1]! | (src[p + 2]! << 8);
      return p + 3;
    case 0xfd:
      lastLength = src[p + 1]! | (src[p + 2]! << 8) | (src[p + 3]! << 16);
      return p + 4;
    default:
      // 8 bytes; a single value over 2 GB cannot arrive in one packet anyway.
      if (src[p + 5] || src[p + 6] || src[p + 7] || src[p + 8] || src[p + 4]! > 0x7f)
        throw new Error('MySQL value too large for a backup line');
      lastLength = src[p + 1]! | (src[p + 2]! << 8) | (src[p + 3]! << 16) | (src[p + 4]! << 24);
      return p + 9;
  }
}

/** The length-coded value read last, as the ASCII text MySQL sends for numbers and dates. */
function ascii(src: Uint8Array, start: number, length: number): string {
  return Buffer.from(src.buffer, src.byteOffset + start, length).toString('latin1');
}

/** Copies `length` bytes as a JSON string, escaping exactly what JSON.stringify escapes in valid UTF-8. */
function quoted(b: Buffer, u: number, s: Uint8Array, start: number, length: number): number {
  b[u++] = QUOTE;
  for (let i = start, end = start + length; i < end; i++) {
    const c = s[i]!;
    if (c >= 0x20 && c !== QUOTE && c !== BACKSLASH) {
      b[u++] = c;
      continue;
    }
    b[u++] = BACKSLASH;
    if (c === QUOTE || c === BACKSLASH) b[u++] = c;
    else if (SHORT[c]) b[u++] = SHORT[c]!;
    else {
      b[u++] = 0x75;
      b[u++] = 0x30;
      b[u++] = 0x30;
      b[u++] = HEX.charCodeAt(c >> 4);
      b[u++] = HEX.charCodeAt(c & 15);
    }
  }
  b[u++] = QUOTE;
  return u;
}

/** `-?(0|[1-9]\d{0,14})`: an integer whose text is already what JSON.stringify(Number(v)) gives. */
function plainInt(s: Uint8Array, start: number, length: number): boolean {
  const neg = s[start] === 0x2d ? 1 : 0;
  const n = length - neg;
  if (n < 1 || n > 15 || (n > 1 && s[start + neg] === 0x30)) return false;
  for (let i = start + neg; i < start + length; i++) if (s[i]! < 0x30 || s[i]! > 0x39) return false;
  return true;
}

/** `YYYY-MM-DD HH:MM:SS[.f…]`, as MySQL sends DATETIME, written as `"YYYY-MM-DDTHH:MM:SS.mmmZ"`. */
function isoFromMysql(b: Buffer, u: number, s: Uint8Array, start: number, length: number): number {
  b[u++] = QUOTE;
  for (let i = 0; i < 19; i++) b[u++] = i === 10 ? 0x54 : s[start + i]!;
  b[u++] = 0x2e;
  for (let i = 20; i < 23; i++) b[u++] = i < length ? s[start + i]! : 0x30;
  b[u++] = 0x5a;
  b[u++] = QUOTE;
  return u;
}

function rawValue(
  b: Buffer,
  u: number,
  kind: Kind,
  s: Uint8Array,
  start: number,
  length: number,
  scale: number,
): number {
  if (length < 0) return putAll(b, u, NULL);
  switch (kind) {
    case 'text':
      return quoted(b, u, s, start, length);
    case 'int':
    case 'bigint':
      if (!plainInt(s, start, length)) break;
      for (let i = start; i < start + length; i++) b[u++] = s[i]!;
      return u;
    case 'bool':
      if (length === 1) return putAll(b, u, s[start] === 0x31 ? TRUE : FALSE);
      break;
    case 'date':
      if ((length === 19 || (length > 20 && s[start + 19] === 0x2e)) && s[start + 10] === 0x20)
        return isoFromMysql(b, u, s, start, length);
      break;
    default:
      break;
  }
  // Anything unusual (and decimals, which are rare) takes the general path; it is ASCII text.
  return u + b.write(jsonValue(kind, ascii(s, start, length), scale), u, 'latin1');
}

function putAll(b: Buffer, u: number, s: Buffer): number {
  for (let k = 0; k < s.length; k++) b[u++] = s[k]!;
  return u;
}
