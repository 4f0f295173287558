import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Core } from '../context.js';

const ID = /^[a-f0-9]{32}$/;

/**
 * A folder under DATA_DIR where import files wait between their dry run and 确认导入 (the back
 * office and chat each have one). Files are named by an opaque random id, which is checked before
 * it ever becomes a path.
 */
export class StagingArea {
  readonly dir: string;

  constructor(core: Core, folder: string) {
    this.dir = path.resolve(core.config.DATA_DIR, folder);
  }

  /** Whether `id` has the form of an id `newId` makes. */
  static isId(id: unknown): id is string {
    return typeof id === 'string' && ID.test(id);
  }

  /** A fresh id; the folder exists afterwards (readable by this user only). */
  newId(): string {
    fs.mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    return crypto.randomBytes(16).toString('hex');
  }

  /** The path of an id's file with this suffix; throws on anything but a well-formed id. */
  file(id: string, suffix = '.upload'): string {
    if (!StagingArea.isId(id)) throw new Error(`not a staged import id: ${id}`);
    return path.join(this.dir, `${id}${suffix}`);
  }

  /** The ids that have a file with this suffix, with that file's path and age (none if no folder yet). */
  list(suffix: string): { id: string; file: string; mtimeMs: number }[] {
    let names: string[];
    try {
      names = fs.readdirSync(this.dir);
    } catch {
      return [];
    }
    const out: { id: string; file: string; mtimeMs: number }[] = [];
    for (const name of names) {
      const id = name.endsWith(suffix) ? name.slice(0, -suffix.length) : '';
      if (!StagingArea.isId(id)) continue;
      const file = path.join(this.dir, name);
      try {
        out.push({ id, file, mtimeMs: fs.statSync(file).mtimeMs });
      } catch {
        // removed meanwhile
      }
    }
    return out;
  }
}
