// A large BIFF8 .xls for the import bench, made of SheetJS's own records. SheetJS's writer gives
// every cell record its own 16 KB block, so 450k cells written at once take gigabytes; here the
// sheet is written a slice of rows at a time and the slices' cell records are joined into one
// sheet (cell records carry their own row numbers), with the DIMENSIONS record widened to match.
import fs from 'node:fs';
import * as XLSX from '@e965/xlsx';

interface Cfb {
  FileIndex: { name: string; content: Buffer | Uint8Array }[];
}
const CFB = XLSX.CFB as {
  read(data: Buffer, opts: { type: 'buffer' }): Cfb;
  write(cfb: unknown, opts: { type: 'buffer' }): Buffer;
  utils: { cfb_new(): unknown; cfb_add(cfb: unknown, name: string, content: Buffer): void };
};

const BOF = 0x0809;
const DIMENSIONS = 0x0200;
const WINDOW2 = 0x023e;

/** The workbook stream of one SheetJS-written .xls. */
function workbookStream(wb: XLSX.WorkBook): Buffer {
  const file = XLSX.write(wb, { type: 'buffer', bookType: 'xls' }) as Buffer;
  const entry = CFB.read(file, { type: 'buffer' }).FileIndex.find((e) => e.name === 'Workbook')!;
  return Buffer.from(entry.content);
}

/** Offsets of the records of a BIFF stream: [type, start, end]. */
function records(stream: Buffer): [number, number, number][] {
  const out: [number, number, number][] = [];
  for (let at = 0; at + 4 <= stream.length; ) {
    const len = stream.readUInt16LE(at + 2);
    out.push([stream.readUInt16LE(at), at, at + 4 + len]);
    at += 4 + len;
  }
  return out;
}

/** The sheet's cell records: after DIMENSIONS and before WINDOW2, in the (only) sheet substream. */
function cellSpan(stream: Buffer): { head: number; cells: [number, number]; dims: number } {
  const recs = records(stream);
  const sheetBof = recs.findIndex(([t], i) => t === BOF && i > 0);
  const dims = recs.findIndex(([t], i) => t === DIMENSIONS && i > sheetBof);
  const win = recs.findIndex(([t], i) => t === WINDOW2 && i > dims);
  return { head: recs[dims]![2], cells: [recs[dims]![2], recs[win]![1]], dims: recs[dims]![1] };
}

/** Writes `rows` (the first one the header) to one sheet of a BIFF8 .xls, `slice` rows at a time. */
export function writeLargeXls(file: string, sheet: string, rows: unknown[][], slice = 2000): void {
  const book = (part: unknown[][], origin: number) => {
    const wb = XLSX.utils.book_new();
    XLSX.utils.book_append_sheet(
      wb,
      XLSX.utils.aoa_to_sheet(part, { origin: { r: origin, c: 0 } } as XLSX.AOA2SheetOpts),
      sheet,
    );
    return workbookStream(wb);
  };
  const first = book(rows.slice(0, slice), 0);
  const span = cellSpan(first);
  const parts: Buffer[] = [first.subarray(0, span.cells[1])];
  for (let at = slice; at < rows.length; at += slice) {
    const s = book(rows.slice(at, at + slice), at);
    const c = cellSpan(s);
    parts.push(s.subarray(c.cells[0], c.cells[1]));
  }
  parts.push(first.subarray(span.cells[1]));
  const stream = Buffer.concat(parts);
  // DIMENSIONS (BIFF8): rwMic u32, rwMac u32 (last row + 1), colMic u16, colMac u16.
  stream.writeUInt32LE(rows.length, span.dims + 4 + 4);
  const cfb = CFB.utils.cfb_new();
  CFB.utils.cfb_add(cfb, 'Workbook', stream);
  fs.writeFileSync(file, CFB.write(cfb, { type: 'buffer' }));
}
