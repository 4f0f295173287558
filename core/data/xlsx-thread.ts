import { Worker } from 'node:worker_threads';
import { DomainError, type ErrorCode } from '../errors.js';
import type { RawRow } from './source.js';
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

export type ToWorker = { credit: number };
export type FromWorker =
  | { rows: RawRow[] }
  | { done: true }
  | { error: { domain: true; code: ErrorCode; message: string; details: Record<string, unknown> } | { domain: false; message: string } };

/**
 * The rows of one sheet, read by exceljs in a worker thread: reading runs beside validation and
 * the database writes (a second core), and its garbage stays in a small heap of its own. The
 * worker stops when the caller stops iterating.
 */
export async function* workerRows(job: SheetJob): AsyncGenerator<RawRow> {
  // execArgv: none of this process's flags (a test runner's); the entry registers tsx itself.
  const worker = new Worker(new URL('./xlsx-worker.mjs', import.meta.url), {
    workerData: job, execArgv: [], resourceLimits: { maxOldGenerationSizeMb: READER_HEAP_MB }, stdout: false, stderr: false,
  });
  const queue: FromWorker[] = [];
  let wake: (() => void) | null = null;
  let failure: Error | null = null;
  const push = (m: FromWorker) => {
    queue.push(m);
    wake?.();
  };
  worker.on('message', push);
  worker.on('error', (err: Error & { code?: string }) => {
    failure = err.code === 'ERR_WORKER_OUT_OF_MEMORY'
      ? new DomainError('VALIDATION', `「${job.fileName}」的工作表太大, 读取时超出了内存上限 (${READER_HEAP_MB} MB)。请拆成几个文件分别导入。`, {})
      : err;
    wake?.();
  });
  let exited = false;
  worker.on('exit', () => {
    exited = true;
    wake?.();
  });
  worker.postMessage({ credit: IN_FLIGHT } satisfies ToWorker);
  try {
    for (;;) {
      const m = queue.shift();
      if (!m) {
        if (failure) throw failure;
        // Gone without its 'done' (or an error) and nothing left to read: it cannot wake us again.
        if (exited) throw new Error('xlsx reader stopped');
        await new Promise<void>((resolve) => (wake = resolve));
        wake = null;
        continue;
      }
      if ('done' in m) return;
      if ('error' in m) throw m.error.domain ? new DomainError(m.error.code, m.error.message, m.error.details) : new Error(m.error.message);
      worker.postMessage({ credit: 1 } satisfies ToWorker);
      yield* m.rows;
    }
  } finally {
    await worker.terminate();
  }
}
