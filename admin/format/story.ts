import type { Core } from '../../core/context.js';
import { customerStory } from '../../core/customers/story.js';
import { localTime } from '../../core/deletion/approvals.js';
import { formatYuan } from '../../core/money.js';
import { adminActor, type SessionUser } from '../auth/session.js';
import { AUDIT_ACTION_LABELS, DOOR_LABELS } from './labels.js';
import { diffRows, operatorNames } from './readable.js';
import { isInactive } from '../../core/customers/lifecycle.js';

type Shown = { record?: { id: string; params: Record<string, unknown> } };

/** The customer page's 360 view: business at a glance, what is pending, and the timeline from the audit trail. */
export function withCustomerStory(core: Core, rootPath = '/admin') {
  return async function customerStoryAfter<R extends Shown>(
    response: R,
    _request: unknown,
    context: { currentAdmin?: unknown },
  ): Promise<R> {
    const record = response.record;
    if (!record) return response;
    const story = await customerStory(
      core,
      adminActor(context.currentAdmin as SessionUser | undefined),
      Number(record.id),
    );
    if (!story) return response;
    const names = await operatorNames(
      core,
      story.timeline.map((e) => e.diff),
    );
    const h = story.business.history;
    record.params.story = JSON.stringify({
      status: story.status,
      stopped: isInactive(story.status)
        ? {
            reason: record.params.deactivationReason ?? '',
            memo: record.params.deactivationMemo ?? '',
            until: record.params.reactivateOn ?? '',
          }
        : null,
      pendingDeletion: story.pendingDeletion
        ? {
            id: story.pendingDeletion.id,
            href: `${rootPath}/resources/approval_requests/records/${story.pendingDeletion.id}/show`,
            expires: localTime(core, story.pendingDeletion.expiresAt),
          }
        : null,
      pendingMerge: story.pendingMerge,
      business: [
        ['未完成订单', `${story.business.openOrders} 张`],
        ['应收余额', formatYuan(story.business.receivableCents)],
        ['库存预留', `${story.business.reservations} 条`],
        ['累计销售', `${formatYuan(h.amountCents)} (${h.orders} 张订单)`],
        ['最近下单', h.lastOrderDate ?? '—'],
        ['销售额排名', h.rank ? `${h.rank} / ${h.ranked}${h.top ? ' (前 20%)' : ''}` : '—'],
      ],
      timeline: story.timeline.map((e) => ({
        id: e.id,
        at: localTime(core, e.at),
        who: e.operatorName,
        door: DOOR_LABELS[e.door] ?? e.door,
        action: AUDIT_ACTION_LABELS[e.action] ?? e.action,
        changes: diffRows(core, e.diff, names).map(([field, before, after]) =>
          before ? `${field}: ${before} → ${after}` : `${field}: ${after}`,
        ),
      })),
    });
    return response;
  };
}
