import { Worker } from 'node:worker_threads';
import { DomainError, type ErrorCode } from '../errors.js';
import type { RawRow } from './source.js';
import type { XlsJob, XlsMeta } from './xls-rows.js';
import type { SheetJob } from './xlsx-rows.js';

/** Rows per message from the reading thread, and how many messages may be in flight. */
export const BATCH_ROWS = 500;
const IN_FLIGHT = 4;
/**
 * The reading thread's heap cap. Parsing a sheet makes a lot of short-lived garbage; with its own
 * capped heap the reader collects it instead of growing the process (a 100k-row sheet peaked at
 * 470 MB RSS read in the importing thread). Its live data is mostly the shared-string table.
 */
const READER_HEAP_MB = 96;
/**
 * SheetJS has no streaming .xls reader: the whole sheet is parsed in the reading thread, about
 * 500 bytes per cell, and a BIFF8 sheet holds at most 65,536 rows. The cap keeps a hostile or huge
 * file from growing past this (it is then refused with the message below).
 */
const XLS_READER_HEAP_MB = 512;

export type ToWorker = { credit: number } | { job: SheetJob | XlsJob; credit: number } | { stop: true };
export type FromWorker =
  | { rows: RawRow[] }
  | { stopped: true }
  | { meta: XlsMeta }
  | { done: true }
  | {
      error:
        | { domain: true; code: ErrorCode; message: string; details: Record<string, unknown> }
        | { domain: false; message: string };
    };

/** A new reader thread with a heap of its own. */
function startReader(heapMb: number): Worker {
  // execArgv: none of this process's flags (a test runner's); the entry registers tsx itself.
  // Built (dist/), this file is .js and the compiled reader runs as it is, without tsx.
  const entry = import.meta.url.endsWith('.js') ? './xlsx-worker.js' : './xlsx-worker.mjs';
  return new Worker(new URL(entry, import.meta.url), {
    execArgv: [],
    resourceLimits: { maxOldGenerationSizeMb: heapMb },
    stdout: false,
    stderr: false,
  });
}

/**
 * One finished reader thread kept per heap size for a minute: starting a thread and loading
 * exceljs in it costs ~0.3 s of CPU (~0.6 s from the sources), more than reading a small file.
 * Kept threads are unref'd, so they never hold the process open.
 */
const KEEP_MS = 60_000;
const kept = new Map<number, { worker: Worker; timer: NodeJS.Timeout }>();

/** Drops a job's listeners by name: Worker keeps listeners of its own (they ref its message port). */
function forgetListeners(worker: Worker): void {
  for (const event of ['message', 'error', 'exit']) worker.removeAllListeners(event);
}

function takeReader(heapMb: number): Worker {
  const k = kept.get(heapMb);
  if (!k) return startReader(heapMb);
  kept.delete(heapMb);
  clearTimeout(k.timer);
  forgetListeners(k.worker);
  return k.worker;
}

/** Keeps a reader that ended its job cleanly (read to the end, or stopped when asked); a second one is ended. */
function giveBack(heapMb: number, worker: Worker): Promise<unknown> {
  forgetListeners(worker);
  if (kept.has(heapMb)) return worker.terminate();
  worker.unref();
  const forget = () => {
    if (kept.get(heapMb)?.worker === worker) kept.delete(heapMb);
  };
  worker.on('exit', forget);
  worker.on('error', forget);
  const timer = setTimeout(() => {
    forget();
    void worker.terminate();
  }, KEEP_MS);
  timer.unref();
  kept.set(heapMb, { worker, timer });
  return Promise.resolve();
}

/** A reader thread's crash as the importer reports it: running out of its heap means the sheet is too big. */
function threadFailure(err: Error & { code?: string }, fileName: string, heapMb: number): Error {
  return err.code === 'ERR_WORKER_OUT_OF_MEMORY'
    ? new DomainError(
        'VALIDATION',
        `「${fileName}」的工作表太大, 读取时超出了内存上限 (${heapMb} MB)。请拆成几个文件分别导入。`,
        {},
      )
    : err;
}

/** What a job's reader thread has said, in order; `next` waits for more. */
interface Inbox {
  next(): Promise<FromWorker>;
}

function listen(worker: Worker, fileName: string, heapMb: number): Inbox {
  const queue: FromWorker[] = [];
  let wake: (() => void) | null = null;
  let failure: Error | null = null;
  let exited = false;
  worker.on('message', (m: FromWorker) => (queue.push(m), wake?.()));
  worker.on('error', (err: Error & { code?: string }) => {
    failure = threadFailure(err, fileName, heapMb);
    wake?.();
  });
  worker.on('exit', () => ((exited = true), wake?.()));
  return {
    async next() {
      for (;;) {
        const m = queue.shift();
        if (m) return m;
        if (failure) throw failure;
        // Gone without its 'done' (or an error) and nothing left to read: it cannot wake us again.
        if (exited) throw new Error('xlsx reader stopped');
        await new Promise<void>((resolve) => (wake = resolve));
        wake = null;
      }
    },
  };
}

/** How long a reader the caller stopped early gets to end its job before it is terminated. */
const STOP_MS = 2000;

/**
 * Asks a reader whose rows the caller stopped taking to end its job, so exceljs removes its temp
 * files and closes what it opened (a terminated thread leaves both behind). True once it did.
 */
async function stopJob(worker: Worker, inbox: Inbox): Promise<boolean> {
  worker.postMessage({ stop: true } satisfies ToWorker);
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'late'>((resolve) => (timer = setTimeout(resolve, STOP_MS, 'late')));
  try {
    for (;;) {
      const m = await Promise.race([inbox.next(), late]);
      if (m === 'late' || 'error' in m) return false;
      if ('done' in m || 'stopped' in m) return true;
    }
  } catch {
    return false;
  } finally {
    clearTimeout(timer);
  }
}

/**
 * The rows of one sheet, read by exceljs in a worker thread: reading runs beside validation and
 * the database writes (a second core), and its garbage stays in a small heap of its own. A reader
 * that read its sheet to the end, or ended its job when the caller stopped early, is kept for the
 * next file; one that failed is ended.
 */
export async function* workerRows(job: SheetJob | XlsJob, onMeta?: (meta: XlsMeta) => void): AsyncGenerator<RawRow> {
  const heapMb = job.kind === 'xls' ? XLS_READER_HEAP_MB : READER_HEAP_MB;
  const worker = takeReader(heapMb);
  worker.ref();
  const inbox = listen(worker, job.fileName, heapMb);
  worker.postMessage({ job, credit: IN_FLIGHT } satisfies ToWorker);
  let ended: 'clean' | 'failed' | null = null;
  try {
    for (;;) {
      const m = await inbox.next().catch((err: unknown) => {
        ended = 'failed';
        throw err;
      });
      if ('done' in m || 'stopped' in m) return void (ended = 'clean');
      if ('error' in m) {
        ended = 'failed';
        throw m.error.domain
          ? new DomainError(m.error.code, m.error.message, m.error.details)
          : new Error(m.error.message);
      }
      if ('meta' in m) {
        onMeta?.(m.meta);
        continue;
      }
      worker.postMessage({ credit: 1 } satisfies ToWorker);
      // While the caller holds the rows (or never asks for more), the paused reader must not keep the process alive.
      worker.unref();
      yield* m.rows;
      worker.ref();
    }
  } finally {
    worker.ref();
    const clean = ended === 'clean' || (ended === null && (await stopJob(worker, inbox)));
    await (clean ? giveBack(heapMb, worker) : worker.terminate());
  }
}
