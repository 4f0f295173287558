import path from 'node:path';
import { expect, it } from '@jest/globals';
import { readSource } from '../../core/data/source.js';
import { tempDir, writeXlsx } from './fixtures.js';

// exceljs's streaming reader decoded each inflated chunk on its own, so a CJK character whose three
// UTF-8 bytes straddled a chunk boundary came back as U+FFFD (exceljs/exceljs#2084). Our patch
// (core/data/patches) keeps one decoder per part; this sheet is large enough to cross many boundaries.
it("reads every Chinese character of a large .xlsx intact, across the reader's chunk boundaries", async () => {
  const names = Array.from(
    { length: 6000 },
    (_, i) => `${'华东区'.repeat(1 + (i % 7))}苏州永信家居有限公司第${i}号分店`,
  );
  const file = await writeXlsx(path.join(tempDir(), 'cjk.xlsx'), [
    { name: '客户', rows: [['客户名称', '备注'], ...names.map((n, i) => [n, `备注${'中文'.repeat(i % 5)}`])] },
  ]);
  const source = await readSource(file, 'cjk.xlsx', { maxRows: 100_000, maxUnzippedMb: 300 });
  const seen: string[] = [];
  for await (const row of source.rows) seen.push(row.cells[0] ?? '');
  const broken = seen.filter((s) => s.includes('\uFFFD'));
  expect(broken).toEqual([]);
  expect(seen.slice(1)).toEqual(names);
});
