import { BaseRecord, type Filter } from 'adminjs';
import { ComputedResource } from '../adapter/computed-resource.js';
import type { Core } from '../../core/context.js';
import { codeReport } from '../../core/customers/code-report.js';
import { recodeActions } from '../actions/recode.js';
import { off, permit } from '../features/permissions.js';
import type { ApprovalNotifier } from '../../core/notify-port.js';

/** One finding of the code report: an off-rule code, or a group of near-duplicates. */
interface Finding {
  id: string;
  kind: string;
  codes: string;
  hint: string;
}

async function findings(core: Core): Promise<Finding[]> {
  const r = await codeReport(core);
  return [
    ...r.nearDuplicates.map((g) => ({
      id: `near:${g.join('|')}`,
      kind: '近似编码',
      codes: g.join(' ≈ '),
      hint: '只差大小写、全半角或分隔符: 确认是否同一客户 (疑似重复 → 合并), 否则改成明显不同的编码',
    })),
    ...r.offRule.map((code) => ({
      id: `off:${code}`,
      kind: '不合规则',
      codes: code,
      hint: `不符合当前编码规则 ${r.rule}: 可用「批量改编码」改成规则内的编码, 旧编码仍可查`,
    })),
  ];
}

const PROPS = ['id', 'kind', 'codes', 'hint'];

/**
 * 编码检查 as a back-office list: the off-rule and near-duplicate report (core's codeReport, the
 * same as 编码检查 in chat and `steward codes check`), computed per request, with 批量改编码.
 */
export class CodeReportResource extends ComputedResource {
  constructor(private readonly core: Core) {
    super('code_report', PROPS, 'use 批量改编码');
  }

  override async count(_filter: Filter): Promise<number> {
    return (await findings(this.core)).length;
  }

  override async find(_filter: Filter, options: { limit?: number; offset?: number } = {}): Promise<BaseRecord[]> {
    const offset = options.offset ?? 0;
    return (await findings(this.core))
      .slice(offset, offset + (options.limit ?? 20))
      .map((f) => new BaseRecord({ ...f }, this));
  }

  override async findOne(id: string | number): Promise<BaseRecord | null> {
    const f = (await findings(this.core)).find((x) => x.id === String(id));
    return f ? new BaseRecord({ ...f }, this) : null;
  }
}

/** 编码检查: the list, with the 批量改编码 resource action. */
export function codeReportResource(core: Core, notifier?: ApprovalNotifier) {
  return {
    resource: new CodeReportResource(core),
    options: {
      id: 'code_report',
      navigation: { name: 'customerData', icon: 'Hash' },
      titleProperty: 'codes',
      listProperties: ['kind', 'codes', 'hint'],
      showProperties: ['kind', 'codes', 'hint'],
      filterProperties: [],
      actions: {
        list: permit('view'),
        show: permit('view'),
        search: off,
        new: off,
        edit: off,
        delete: off,
        bulkDelete: off,
        ...recodeActions(core, notifier),
      },
    },
  };
}

/** Menu label. */
export const codeReportLabels = { code_report: '编码检查' };

/** Property and action labels. */
export const codeReportTranslations = {
  code_report: {
    properties: { kind: '问题', codes: '编码', hint: '处理建议' },
    actions: { bulkRecode: '批量改编码' },
  },
};
