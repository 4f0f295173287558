import fs from 'node:fs';
import { once } from 'node:events';
import { Op } from 'sequelize';
import type { CustomerStatus } from '../../models/index.js';
import { withTransaction } from '../../models/tx.js';
import { appendAudit } from '../audit.js';
import type { Actor, Core } from '../context.js';
import { assertCan } from '../permissions.js';
import { STATUS_LABELS, toView, type CustomerView } from '../customers/view.js';
import { IMPORT_COLUMNS } from './headers.js';
import type { Progress } from './source.js';
import { liveStatus } from '../customers/lifecycle.js';

export type ExportFormat = 'csv' | 'xlsx' | 'json';

export interface ExportOptions {
  format: ExportFormat;
  status?: CustomerStatus;
  /** Full phone and address; needs revealPersonal and is audited. */
  reveal?: boolean;
  onProgress?: (p: Progress) => void;
}

export interface ExportResult {
  path: string;
  format: ExportFormat;
  rows: number;
  revealed: boolean;
}

/** The same columns, in the same order and with the same Chinese headers, that import reads. */
const HEADERS = IMPORT_COLUMNS.map((c) => c.zh[0]!);

function record(v: CustomerView, owners: Map<number, string>, reveal: boolean): Record<string, string> {
  return {
    code: v.code,
    name: v.name,
    contact: v.contact ?? '',
    phone: (reveal ? v.phone : v.phoneMasked) ?? '',
    address: (reveal ? v.address : v.addressMasked) ?? '',
    category: v.category ?? '',
    region: v.region ?? '',
    owner: v.ownerId ? (owners.get(v.ownerId) ?? '') : '',
    status: STATUS_LABELS[v.status],
    note: v.note ?? '',
  };
}

/** A CSV cell; a leading = + - @ would run as a formula in Excel, so such text gets a quote mark. */
function csvCell(s: string): string {
  const safe = /^[=+\-@]/.test(s) && !/^\+?\d+$/.test(s) ? `'${s}` : s;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

interface Sink {
  write(r: Record<string, string>, v: CustomerView): Promise<void>;
  close(): Promise<void>;
}

async function streamWrite(stream: fs.WriteStream, text: string): Promise<void> {
  if (!stream.write(text)) await once(stream, 'drain');
}

async function closeStream(stream: fs.WriteStream): Promise<void> {
  stream.end();
  await once(stream, 'finish');
}

async function openSink(format: ExportFormat, file: string): Promise<Sink> {
  const keys = IMPORT_COLUMNS.map((c) => c.key);
  if (format === 'xlsx') {
    // Loaded here: exceljs takes ~0.25 s, which commands that never write a workbook need not pay.
    const { default: ExcelJS } = await import('exceljs');
    const wb = new ExcelJS.stream.xlsx.WorkbookWriter({ filename: file, useSharedStrings: false, useStyles: true });
    const ws = wb.addWorksheet('客户');
    ws.columns = IMPORT_COLUMNS.map((c) => ({
      header: c.zh[0],
      key: c.key,
      width: c.key === 'name' || c.key === 'address' ? 30 : 14,
      style: c.key === 'phone' || c.key === 'code' ? { numFmt: '@' } : {},
    }));
    return {
      write: async (r) => ws.addRow(keys.map((k) => r[k])).commit(),
      close: async () => {
        ws.commit();
        await wb.commit();
      },
    };
  }
  const stream = fs.createWriteStream(file);
  if (format === 'csv') {
    // A BOM so Excel for Windows opens the UTF-8 Chinese correctly.
    stream.write(`\uFEFF${HEADERS.join(',')}\r\n`);
    return {
      write: (r) => streamWrite(stream, `${keys.map((k) => csvCell(r[k]!)).join(',')}\r\n`),
      close: () => closeStream(stream),
    };
  }
  let first = true;
  stream.write('[\n');
  return {
    write: (r, v) => {
      const text = `${first ? '' : ',\n'}${JSON.stringify({ ...r, status: v.status, statusLabel: r.status, createdAt: v.createdAt, updatedAt: v.updatedAt })}`;
      first = false;
      return streamWrite(stream, text);
    },
    close: async () => {
      stream.write('\n]\n');
      await closeStream(stream);
    },
  };
}

/**
 * Streams customers to CSV, XLSX or JSON in pages of 2000, by id. Personal fields are masked
 * unless `reveal`, which needs revealPersonal and leaves an audit event. The file appears under
 * its name only when complete.
 */
export async function exportCustomers(
  core: Core,
  actor: Actor,
  out: string,
  opts: ExportOptions,
): Promise<ExportResult> {
  assertCan(actor.operator, 'export');
  if (opts.reveal) assertCan(actor.operator, 'revealPersonal');
  const { Customer, Operator } = core.models;
  const owners = new Map(
    (await Operator.findAll({ attributes: ['id', 'displayName'] })).map((o) => [o.id, o.displayName]),
  );
  const where = opts.status ? { status: opts.status } : { status: liveStatus() };
  const total = await Customer.count({ where });
  const tmp = `${out}.part-${process.pid}`;
  const sink = await openSink(opts.format, tmp);
  let rows = 0;
  let lastId = 0;
  try {
    for (;;) {
      const page = await Customer.findAll({
        where: { ...where, id: { [Op.gt]: lastId } },
        order: [['id', 'ASC']],
        limit: 2000,
      });
      if (!page.length) break;
      for (const c of page) {
        const v = toView(core, c);
        await sink.write(record(v, owners, Boolean(opts.reveal)), v);
      }
      rows += page.length;
      lastId = page[page.length - 1]!.id;
      opts.onProgress?.({ phase: 'write', done: rows, total });
    }
    await sink.close();
    if (opts.reveal) {
      await withTransaction(core.models.sequelize, (t) =>
        appendAudit(core, t, actor, {
          action: 'customer.export-reveal',
          info: { format: opts.format, status: opts.status ?? 'all', rows, fields: ['phone', 'address'] },
        }),
      );
    }
    fs.renameSync(tmp, out);
  } catch (err) {
    fs.rmSync(tmp, { force: true });
    throw err;
  }
  return { path: out, format: opts.format, rows, revealed: Boolean(opts.reveal) };
}
