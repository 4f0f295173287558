import crypto from 'node:crypto';
import fs from 'node:fs';
import readline from 'node:readline';
import { Readable, Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import zlib from 'node:zlib';
import { BLOCK } from './line-blocks.js';
import { ParallelGzip } from './parallel-gzip.js';
import type { Blocks } from './snapshot.js';

const MAGIC = Buffer.from('SBK1');
const IV_LEN = 12;
const TAG_LEN = 16;

/** AES-256-GCM as a stream: MAGIC | iv | ciphertext | tag. */
class EncryptStream extends Transform {
  private readonly cipher: crypto.CipherGCM;
  constructor(key: Buffer) {
    super();
    const iv = crypto.randomBytes(IV_LEN);
    this.cipher = crypto.createCipheriv('aes-256-gcm', key, iv);
    this.push(Buffer.concat([MAGIC, iv]));
  }
  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    done(null, this.cipher.update(chunk));
  }
  override _flush(done: TransformCallback): void {
    this.push(this.cipher.final());
    done(null, this.cipher.getAuthTag());
  }
}

/** Counts and hashes the bytes that pass. */
class HashTap extends Transform {
  readonly hash = crypto.createHash('sha256');
  bytes = 0;
  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    this.hash.update(chunk);
    this.bytes += chunk.length;
    done(null, chunk);
  }
}

export interface WrittenFile {
  rows: number;
  bytes: number;
  /** sha256 of the file as stored. */
  sha256: string;
  /** sha256 of the JSON lines (before gzip and encryption), which a restore must reproduce. */
  contentSha256: string;
}

/** Writes blocks of lines as gzip'd JSONL (encrypted when a key is given) and fsyncs the file. */
export async function writeBlocks(file: string, blocks: Blocks, key: Buffer | null): Promise<WrittenFile> {
  const content = crypto.createHash('sha256');
  let rows = 0;
  async function* source() {
    for await (const ready of blocks) {
      for (const b of ready) {
        content.update(b.block);
        rows += b.rows;
        yield b.block;
      }
    }
  }
  const tap = new HashTap();
  const stages: NodeJS.ReadWriteStream[] = [
    new ParallelGzip({ level: 1, memLevel: 9, chunkSize: 1024 * 1024 }),
    ...(key ? [new EncryptStream(key)] : []),
    tap,
  ];
  await pipeline(
    Readable.from(source()),
    ...(stages as [NodeJS.ReadWriteStream]),
    fs.createWriteStream(file, { highWaterMark: BLOCK }),
  );
  await fsyncPath(file);
  return { rows, bytes: tap.bytes, sha256: tap.hash.digest('hex'), contentSha256: content.digest('hex') };
}

/** fsync a file or a directory, so a rename after it cannot expose half-written data. */
export async function fsyncPath(p: string): Promise<void> {
  const fh = await fs.promises.open(p, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/** sha256 of a file's bytes. */
export async function sha256File(file: string): Promise<string> {
  const hash = crypto.createHash('sha256');
  for await (const chunk of fs.createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** The readable plain (gunzipped, decrypted) stream of a backup file; errors name what is wrong. */
export async function openLines(file: string, key: Buffer | null): Promise<AsyncIterable<string>> {
  let raw: Readable;
  if (key) {
    const { size } = await fs.promises.stat(file);
    const fh = await fs.promises.open(file, 'r');
    const head = Buffer.alloc(MAGIC.length + IV_LEN);
    const tag = Buffer.alloc(TAG_LEN);
    await fh.read(head, 0, head.length, 0);
    await fh.read(tag, 0, TAG_LEN, Math.max(size - TAG_LEN, 0));
    await fh.close();
    if (size < head.length + TAG_LEN || !head.subarray(0, MAGIC.length).equals(MAGIC))
      throw new Error('not an encrypted backup file (header missing)');
    const decipher = crypto.createDecipheriv('aes-256-gcm', key, head.subarray(MAGIC.length));
    decipher.setAuthTag(tag);
    raw = fs.createReadStream(file, { start: head.length, end: size - TAG_LEN - 1 }).pipe(decipher);
  } else raw = fs.createReadStream(file);
  const gunzip = zlib.createGunzip();
  raw.on('error', (err) => gunzip.destroy(err));
  return readline.createInterface({ input: raw.pipe(gunzip), crlfDelay: Infinity });
}
