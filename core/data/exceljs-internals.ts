import type { DataValidation, Worksheet, stream } from 'exceljs';

/**
 * Every use of exceljs's private or undocumented API, in one place; the rest of the code calls these
 * functions and never reaches into exceljs itself. After upgrading exceljs,
 * test/data/exceljs-internals.spec.ts says (naming exceljs and its version) which of these no
 * longer holds.
 *
 *   - WorkbookReader's `styles` (undocumented field: the StyleManager its constructor builds): the
 *     streaming reader looks up each cell's `s` index through `styles.getStyleModel(id)` and turns a
 *     number whose style has a date format into a Date. With `styles: 'ignore'` that manager stays
 *     empty; we put a tiny table in its place that knows only the date style indexes (zip-guard
 *     reads them from styles.xml), which costs a fraction of exceljs's full style cache (about a
 *     third of the read time and most of the memory). The reader must be opened with
 *     `styles: 'ignore'`, else exceljs replaces the table when it reaches styles.xml.
 *   - WorksheetReader's `name` (set by WorkbookReader from workbook.xml, not in exceljs's types):
 *     which sheet the streaming reader is emitting; and its `workbook`, the reader that emitted it.
 *     Before workbook.xml has been read the name is exceljs's default `Sheet<n>`: we report none,
 *     and callers go by position.
 *   - WorkbookReader's `model` and `properties` (undocumented: what it parsed from workbook.xml):
 *     it reads `model.sheets` for each sheet it emits and `properties.model` for each date cell,
 *     and throws when a sheet comes before workbook.xml in the zip (exceljs's own writer orders its
 *     parts by timing, so a file it exported can be like that). Empty ones in their place until
 *     workbook.xml arrives: such a sheet has no name (callers go by position) and dates count from
 *     1900 (a 1904-system workbook written in that order would read four years early).
 *   - Worksheet's `dataValidations` (the sheet's DataValidations collection, not in exceljs's types;
 *     the documented API is one cell's `dataValidation`): `add(range, validation)` writes one
 *     `<dataValidation sqref="B2:B10001">` for a whole range instead of ten thousand per-cell ones.
 */

type WorkbookReader = stream.xlsx.WorkbookReader;
type WorksheetReader = stream.xlsx.WorksheetReader;

/** The part of exceljs's StyleManager the streaming WorksheetReader calls. */
export interface StyleLookup {
  getStyleModel(id: number): { numFmt: string } | undefined;
}

/** What exceljs keeps on a WorkbookReader without declaring it. */
interface ReaderInternals {
  styles: StyleLookup;
  model?: { sheets?: unknown[] };
  properties?: { model?: { date1904?: boolean } };
}

/** What exceljs keeps on a Worksheet without declaring it. */
interface WorksheetInternals {
  dataValidations: { add(range: string, validation: DataValidation): void };
}

/**
 * Replaces `reader`'s style cache with a table in which only `dateStyles` (cell style indexes)
 * have a format, a date one: those cells' numbers come back as Dates, all other cells unstyled.
 * Call it before reading; `reader` must have been opened with `styles: 'ignore'`.
 */
export function useDateStyleTable(reader: WorkbookReader, dateStyles: Iterable<number>): void {
  const dates = new Set(dateStyles);
  const dateFormat = { numFmt: 'yyyy-mm-dd' };
  (reader as unknown as ReaderInternals).styles = {
    getStyleModel: (id: number) => (dates.has(id) ? dateFormat : undefined),
  };
}

/**
 * Lets `reader` emit a sheet that comes before workbook.xml in the zip (unnamed: go by position)
 * instead of throwing "Cannot read properties of undefined (reading 'sheets')".
 */
export function tolerateLateWorkbookPart(reader: WorkbookReader): void {
  const internals = reader as unknown as ReaderInternals;
  if (internals.model) return;
  const placeholder = {};
  placeholders.add(placeholder);
  internals.model = placeholder;
  // Read for date cells (the 1904 date system); workbook.xml would say, so until then: 1900.
  internals.properties ??= {};
}

/** The empty models put in by tolerateLateWorkbookPart (exceljs replaces one at workbook.xml). */
const placeholders = new WeakSet<object>();

/**
 * The name of the sheet a streaming reader is emitting, when workbook.xml gave one. A sheet
 * emitted before workbook.xml carries exceljs's default `Sheet<n>`, which is not its name.
 */
export function sheetReaderName(sheet: WorksheetReader): string | undefined {
  const own = sheet as unknown as { name?: string; workbook?: ReaderInternals };
  const model = own.workbook?.model;
  return model && placeholders.has(model) ? undefined : own.name;
}

/** Adds one data validation (a drop-down list, say) for a whole range such as `F2:F10001`. */
export function addRangeValidation(ws: Worksheet, range: string, validation: DataValidation): void {
  (ws as unknown as WorksheetInternals).dataValidations.add(range, validation);
}
