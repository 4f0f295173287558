import { describe, expect, it } from '@jest/globals';
import { loadConfig } from '../../core/config.js';
import type { Core } from '../../core/context.js';
import { parseOperatorForm } from '../../admin/actions/operators.js';
import { detailRows, diffRows } from '../../admin/format/readable.js';
import { foreignText } from './foreign-text.js';

const core = { config: loadConfig({ NODE_ENV: 'test', STEWARD_TIMEZONE: 'Asia/Shanghai' }) } as unknown as Core;

describe('what the back office shows instead of stored JSON', () => {
  it('an edit event reads as 字段 / 原值 / 新值: owners by name, states in Chinese, personal values masked, local times', () => {
    const diff = JSON.stringify({
      before: { ownerId: 4, status: 'active', phone: { pii: 'ab12' }, reactivateOn: null },
      after: { ownerId: 5, status: 'inactive', phone: { pii: 'cd34' }, reactivateOn: '2026-12-31T16:00:00.000Z' },
      info: { reason: '合并重复', requestId: 12 },
    });
    const names = (id: number) => ({ 4: '张三', 5: '李四' })[id];
    expect(diffRows(core, diff, names)).toEqual([
      ['负责人', '张三', '李四'],
      ['状态', '启用', '停用'],
      ['手机', '●●● (个人信息, 需「查看」权限)', '●●● (个人信息, 需「查看」权限)'],
      ['停用至', '—', '2027-01-01 00:00'],
      ['原因', '', '合并重复'],
      ['审批单', '', '12'],
    ]);
  });

  it('a field that did not change (same value, or empty on both sides) is not listed', () => {
    const diff = JSON.stringify({
      before: { status: 'active', memo: null, reactivateOn: null, regionName: '华东' },
      after: { status: 'inactive', memo: '', reactivateOn: null, regionName: '华东' },
    });
    expect(diffRows(core, diff)).toEqual([['状态', '启用', '停用']]);
    const created = JSON.stringify({ before: null, after: { code: 'C1', memo: null, category: '零售商' } });
    expect(diffRows(core, created).map(([field]) => field)).toEqual(['客户编码', '客户分类']);
  });

  it('a backup job detail reads as 项目 / 值 with Chinese table names and no English', () => {
    const rows = detailRows(core, {
      rows: { customers: 72, sales_orders: 140, audit_events: 9 },
      pruned: [],
      toGroup: false,
    });
    expect(rows).toEqual([
      ['各表行数', '客户: 72; 销售订单: 140; 审计日志: 9'],
      ['已清理的旧备份', '—'],
      ['发到群', '否'],
    ]);
    expect(foreignText(rows.flat().join('\n'))).toEqual([]);
  });

  it("the expiry and checkpoint jobs' details read in Chinese too", () => {
    const expiry = detailRows(core, { expired: [3], merges: [] });
    expect(expiry).toEqual([
      ['已过期的审批单', '3'],
      ['合并申请', '—'],
    ]);
    const [hash, sig] = ['9f2c41d0e7', '5be0a1c3d2'].map((h) => h.repeat(7).slice(0, 64));
    const checkpoint = { id: 42, hash, count: 42, at: '2026-12-04T19:00:00.000Z', sig };
    const rows = detailRows(core, { checkpoint });
    expect(rows[0]![0]).toBe('审计检查点');
    expect(foreignText([...expiry, ...rows].flat().join('\n'))).toEqual([]);
  });

  it('the crawl check flags English interface words and raw JSON, and lets data through', () => {
    expect(foreignText('状态 succeeded 详情 {"expired":[]}')).toEqual(['JSON {"expired":', 'succeeded', 'expired']);
    expect(foreignText('zhang@example.com C20260001 P-1001 /tmp/a/b.xlsx ERP Excel 12 MB')).toEqual([]);
    expect(
      foreignText('备份文件 /tmp/steward-run-D1h51s/steward-data-A4KgF4/backups/steward-backup-20261206-165904'),
    ).toEqual([]);
  });
});

describe('operator roles', () => {
  it('are accepted as the Chinese names people tick or type (审批人), and refused with the list when unknown', () => {
    expect(
      parseOperatorForm({ displayName: '王五', roles: '审批人,sales', password: 'long-enough-1' }, true).roles,
    ).toEqual(['approver', 'sales']);
    expect(() => parseOperatorForm({ displayName: '王五', roles: '老板', password: 'long-enough-1' }, true)).toThrow(
      /请至少勾选一个角色: 管理员、审批人、销售、财务、只读; 不认识: 老板/,
    );
  });
});
