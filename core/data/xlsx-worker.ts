// Runs in a worker thread: reads sheets (exceljs for .xlsx, SheetJS for .xls) one job at a time
// and posts their rows in batches, waiting for credit from the importing thread so no more than a
// few batches are ever in flight. The thread is kept between jobs (xlsx-thread.ts), so a job
// arrives as a message.
import { parentPort } from 'node:worker_threads';
import { isDomainError } from '../errors.js';
import type { RawRow } from './source.js';
import type { XlsJob } from './xls-rows.js';
import { sheetRows, type SheetJob } from './xlsx-rows.js';
import { BATCH_ROWS, type FromWorker, type ToWorker } from './xlsx-thread.js';

const port = parentPort!;
let credit = 0;
let stopping = false;
let wake: (() => void) | null = null;
port.on('message', (m: ToWorker) => {
  if ('stop' in m) stopping = true;
  else if ('job' in m) {
    // A new job starts with its own credit: late credit for the last job's rows is dropped.
    credit = m.credit;
    stopping = false;
    void read(m.job);
  } else credit += m.credit;
  wake?.();
});

/** Thrown into a job whose rows are no longer wanted: the readers unwind and clean up after themselves. */
class Stopped extends Error {}

async function send(rows: RawRow[]): Promise<void> {
  while (credit <= 0 && !stopping) await new Promise<void>((resolve) => (wake = resolve));
  if (stopping) throw new Stopped();
  credit--;
  port.postMessage({ rows } satisfies FromWorker);
}

async function read(job: SheetJob | XlsJob): Promise<void> {
  try {
    // SheetJS is loaded only for an .xls: an .xlsx reader thread starts without it.
    const source =
      job.kind === 'xls'
        ? (await import('./xls-rows.js')).xlsRows(job, (meta) => port.postMessage({ meta } satisfies FromWorker))
        : sheetRows(job);
    let batch: RawRow[] = [];
    for await (const row of source) {
      if (stopping) throw new Stopped();
      batch.push(row);
      if (batch.length < BATCH_ROWS) continue;
      await send(batch);
      batch = [];
    }
    if (batch.length) await send(batch);
    port.postMessage({ done: true } satisfies FromWorker);
  } catch (err) {
    if (err instanceof Stopped) return port.postMessage({ stopped: true } satisfies FromWorker);
    const e = err as Error;
    port.postMessage({
      error: isDomainError(err)
        ? { domain: true, code: err.code, message: e.message, details: err.details }
        : { domain: false, message: e.message },
    } satisfies FromWorker);
  }
}
