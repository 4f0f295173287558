import { BaseRecord, type ActionContext, type CurrentAdmin, type Filter } from 'adminjs';
import { ComputedResource } from '../adapter/computed-resource.js';
import type { Core } from '../../core/context.js';
import type { ApprovalNotifier } from '../../core/notify-port.js';
import { ownScope } from '../../core/customers/duplicates/by-owner.js';
import { mergeCommandText, signalText } from '../../core/customers/duplicates/format.js';
import { pairState, type PairState } from '../../core/customers/duplicates/pair.js';
import { findDuplicatePairs, type DuplicatePair, type PairSide } from '../../core/customers/duplicates/scan.js';
import { localTime } from '../../core/deletion/approvals.js';
import { duplicateActions } from '../actions/duplicates.js';
import { adminActor } from '../auth/session.js';
import { off, permit } from '../features/permissions.js';
import { isInactive } from '../../core/customers/lifecycle.js';

const STATE_LABELS: Record<PairState['state'], string> = { open: '待处理', dismissed: '已忽略', gone: '已不再相似' };

const side = (s: PairSide) => `${s.code} ${s.name} (${s.owner ?? '未分配'}${isInactive(s.status) ? ', 已停用' : ''})`;

/** What the browser gets for a pair (codes apart, for the actions). */
function params(
  p: DuplicatePair,
  state: PairState['state'] = 'open',
  dismissal: PairState['dismissal'] = null,
  core?: Core,
): Record<string, unknown> {
  return {
    id: p.key,
    title: `${p.a.code} ≈ ${p.b.code}`,
    left: side(p.a),
    right: side(p.b),
    signals: p.signals.length ? signalText(p) : '—',
    codeA: p.a.code,
    codeB: p.b.code,
    state: STATE_LABELS[state],
    mergeCommand: mergeCommandText(p),
    dismissal:
      dismissal && core
        ? `${dismissal.dismissedByName} 于 ${localTime(core, dismissal.dismissedAt)} 忽略, 原因: ${dismissal.reason}`
        : '',
  };
}

const PROPERTIES = ['id', 'title', 'left', 'right', 'signals', 'state', 'mergeCommand', 'dismissal', 'codeA', 'codeB'];

/**
 * 疑似重复 as a back-office list: not a table but the scan, computed per request (it is
 * index-backed). Sales see the pairs of their own customers, like in chat. Read-only here;
 * 忽略 and 合并 are record actions that call core.
 */
export class DuplicatePairResource extends ComputedResource {
  constructor(private readonly core: Core) {
    super('duplicates', PROPERTIES, 'use the 忽略 or 合并 action');
  }

  private async pairs(context?: ActionContext): Promise<DuplicatePair[]> {
    const actor = adminActor(context?.currentAdmin as CurrentAdmin | undefined);
    return (await findDuplicatePairs(this.core, { ownerId: ownScope(this.core, actor) })).pairs;
  }

  override async count(_filter: Filter, context?: ActionContext): Promise<number> {
    return (await this.pairs(context)).length;
  }

  override async find(
    _filter: Filter,
    options: { limit?: number; offset?: number } = {},
    context?: ActionContext,
  ): Promise<BaseRecord[]> {
    const offset = options.offset ?? 0;
    return (await this.pairs(context))
      .slice(offset, offset + (options.limit ?? 20))
      .map((p) => new BaseRecord(params(p), this));
  }

  override async findOne(id: string | number): Promise<BaseRecord | null> {
    const s = await pairState(this.core, String(id));
    return s ? new BaseRecord(params(s.pair, s.state, s.dismissal, this.core), this) : null;
  }
}

/** 疑似重复: the list, with 忽略 and 合并 on each pair. */
export function duplicatesResource(core: Core, notifier?: ApprovalNotifier) {
  return {
    resource: new DuplicatePairResource(core),
    options: {
      id: 'duplicates',
      navigation: { name: 'customerData', icon: 'Users' },
      titleProperty: 'title',
      listProperties: ['left', 'right', 'signals', 'mergeCommand'],
      showProperties: ['left', 'right', 'signals', 'state', 'dismissal', 'mergeCommand'],
      filterProperties: [],
      actions: {
        list: permit('view'),
        show: permit('view'),
        search: off,
        new: off,
        edit: off,
        delete: off,
        bulkDelete: off,
        ...duplicateActions(core, notifier),
      },
    },
  };
}

/** Menu label. */
export const duplicatesLabels = { duplicates: '疑似重复' };

/** Property and action labels. */
export const duplicatesTranslations = {
  duplicates: {
    properties: {
      code: '客户编码',
      codeA: '客户编码',
      codeB: '客户编码',
      left: '客户 (较早建档)',
      right: '疑似重复的客户',
      signals: '依据',
      state: '状态',
      dismissal: '忽略记录',
      mergeCommand: '聊天合并命令',
      title: '客户对',
    },
    actions: { dismiss: '忽略', proposeMerge: '合并' },
  },
};
