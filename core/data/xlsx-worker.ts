// Runs in a worker thread: reads one sheet (exceljs for .xlsx, SheetJS for .xls) and posts its rows
// in batches, waiting for credit from the importing thread so no more than a few batches are ever
// in flight.
import { parentPort, workerData } from 'node:worker_threads';
import { isDomainError } from '../errors.js';
import type { RawRow } from './source.js';
import type { XlsJob } from './xls-rows.js';
import { sheetRows, type SheetJob } from './xlsx-rows.js';
import { BATCH_ROWS, type FromWorker, type ToWorker } from './xlsx-thread.js';

const port = parentPort!;
let credit = 0;
let wake: (() => void) | null = null;
port.on('message', (m: ToWorker) => {
  credit += m.credit;
  wake?.();
});

async function send(rows: RawRow[]): Promise<void> {
  while (credit <= 0) await new Promise<void>((resolve) => (wake = resolve));
  credit--;
  port.postMessage({ rows } satisfies FromWorker);
}

try {
  const job = workerData as SheetJob | XlsJob;
  // SheetJS is loaded only for an .xls: an .xlsx reader thread starts without it.
  const source =
    job.kind === 'xls'
      ? (await import('./xls-rows.js')).xlsRows(job, (meta) => port.postMessage({ meta } satisfies FromWorker))
      : sheetRows(job);
  let batch: RawRow[] = [];
  for await (const row of source) {
    batch.push(row);
    if (batch.length < BATCH_ROWS) continue;
    await send(batch);
    batch = [];
  }
  if (batch.length) await send(batch);
  port.postMessage({ done: true } satisfies FromWorker);
} catch (err) {
  const e = err as Error;
  port.postMessage({
    error: isDomainError(err)
      ? { domain: true, code: err.code, message: e.message, details: err.details }
      : { domain: false, message: e.message },
  } satisfies FromWorker);
}
