import { describe, expect, it } from '@jest/globals';
import { parseRecodeText } from '../../core/customers/recode/sheet.js';
import { recodeReason } from '../../core/customers/recode/request.js';

describe('批量改编码 rows pasted from a sheet', () => {
  it('reads 旧编码, 新编码 and an optional 原因 (which may have spaces); the header line is skipped', () => {
    const pairs = parseRecodeText(
      '旧编码\t新编码\t原因\nC20260001\tKH-1\t对齐 ERP\nC20260002,KH-2\n\nC20260003 KH-3 合并门店',
    );
    expect(pairs).toEqual([
      { rowNo: 2, from: 'C20260001', to: 'KH-1', reason: '对齐 ERP' },
      { rowNo: 3, from: 'C20260002', to: 'KH-2' },
      { rowNo: 5, from: 'C20260003', to: 'KH-3', reason: '合并门店' },
    ]);
  });

  it("the request reason is the typed one, else the lines' own reasons when every line has one", () => {
    const rows = [
      { from: 'A1', to: 'B1', reason: '对齐 ERP' },
      { from: 'A2', to: 'B2', reason: '对齐 ERP' },
      { from: 'A3', to: 'B3', reason: '合并' },
    ];
    expect(recodeReason('统一编码', rows)).toBe('统一编码');
    expect(recodeReason('  ', rows)).toBe('对齐 ERP; 合并');
    expect(recodeReason('', [...rows, { from: 'A4', to: 'B4' }])).toBe('');
  });
});
