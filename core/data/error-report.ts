import type { ImportReport } from './import.js';

/**
 * Writes the failed rows, as they were in the file, with a 错误原因 column and the original row
 * number, so they can be fixed and imported again.
 */
export async function writeErrorReport(
  report: Pick<ImportReport, 'headerLabels' | 'failedRows'>,
  out: string,
): Promise<number> {
  const { default: ExcelJS } = await import('exceljs');
  const wb = new ExcelJS.stream.xlsx.WorkbookWriter({ filename: out, useSharedStrings: false, useStyles: true });
  const ws = wb.addWorksheet('错误行');
  const width = Math.max(report.headerLabels.length, ...report.failedRows.map((r) => r.cells.length));
  const labels = Array.from({ length: width }, (_v, i) => report.headerLabels[i] ?? '');
  const header = ws.addRow([...labels, '错误原因', '原行号']);
  header.font = { bold: true };
  header.commit();
  for (const r of report.failedRows) {
    const row = ws.addRow([...Array.from({ length: width }, (_v, i) => r.cells[i] ?? ''), r.reason, r.rowNo]);
    row.getCell(width + 1).font = { color: { argb: 'FFC00000' } };
    row.commit();
  }
  ws.commit();
  await wb.commit();
  return report.failedRows.length;
}
