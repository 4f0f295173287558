import type { ActionContext, ActionRequest, ActionResponse, RecordJSON } from 'adminjs';
import type { Core } from '../../core/context.js';
import { localTime } from '../../core/deletion/approvals.js';
import { isDomainError } from '../../core/errors.js';
import { addSubscription, removeSubscription, replayDelivery } from '../../core/webhooks/subscriptions.js';
import { adminActor } from '../auth/session.js';
import { COMPONENTS } from '../components.js';
import { fieldErrors, freshRecord, refusal, text, throughCore } from '../features/core-errors.js';
import { permit } from '../features/permissions.js';

const confirm = { actionType: 'record' as const, component: COMPONENTS.ConfirmAction };

/** 新建订阅: through core (URL and target checks, encrypted secret); a generated secret is shown once. */
async function create(core: Core, request: ActionRequest, context: ActionContext): Promise<ActionResponse> {
  if (request.method !== 'post') return {};
  const payload = request.payload ?? {};
  try {
    const r = await addSubscription(core, adminActor(context.currentAdmin), {
      url: text(payload, 'url') ?? '',
      events: text(payload, 'events') ?? '',
      secret: text(payload, 'secret'),
    });
    const secret = r.generated ? ` 签名密钥 (只显示这一次, 请交给接收方保存): ${r.secret}` : '';
    return {
      redirectUrl: context.h.resourceUrl({ resourceId: context.resource.id() }),
      notice: { message: `已新增 webhook 订阅 #${r.subscription.id}。${secret}`, type: 'success' },
      record: await freshRecord(context, r.subscription.id),
    };
  } catch (err) {
    if (!isDomainError(err)) throw err;
    const record = {
      id: '',
      title: '',
      populated: {},
      recordActions: [],
      bulkActions: [],
      baseError: null,
      params: { ...payload, secret: '' },
      errors: fieldErrors(err),
    } as RecordJSON;
    return refusal(err, record);
  }
}

/** Webhook 订阅: 新建 and 删除 (admins only). */
export function subscriptionActions(core: Core) {
  return {
    new: {
      ...permit('integrations'),
      layout: ['url', 'events', 'secret'],
      handler: (request: ActionRequest, _r: unknown, context: ActionContext) => create(core, request, context),
    },
    remove: {
      ...confirm,
      icon: 'Trash2',
      custom: {
        message: '删除后不再向该地址推送, 尚未送达的投递标记为失败。确定删除这个订阅吗?',
        button: '删除订阅',
        danger: true,
      },
      ...permit('integrations', (r) => r.param('active') === true || r.param('active') === 'true'),
      handler: throughCore(async (request, context, actor) => {
        if (request.method !== 'post') return { record: context.record!.toJSON(context.currentAdmin) };
        const s = await removeSubscription(core, actor, Number(context.record!.id()));
        return {
          record: await freshRecord(context),
          notice: { message: `已删除 webhook 订阅 #${s.id}`, type: 'success' },
        };
      }),
    },
  };
}

/** 重新投递: the same event again, at the end of its subscriber's queue. */
export function replayAction(core: Core) {
  return {
    ...confirm,
    icon: 'RefreshCw',
    custom: {
      message: '重新投递会把同一事件 (相同事件 ID) 排到该订阅的队尾, 发送时重新签名。确定重新投递吗?',
      button: '重新投递',
    },
    ...permit('integrations'),
    handler: throughCore(async (request, context, actor) => {
      if (request.method !== 'post') return { record: context.record!.toJSON(context.currentAdmin) };
      const copy = await replayDelivery(core, actor, Number(context.record!.id()));
      return {
        record: await freshRecord(context),
        notice: { message: `已重新排队为投递 #${copy.id}`, type: 'success' },
      };
    }),
  };
}

/** The attempts of one delivery, newest first, as one line each (for its detail page). */
export async function attemptLog(core: Core, outboxId: number): Promise<string> {
  const rows = await core.models.WebhookAttempt.findAll({ where: { outboxId }, order: [['id', 'DESC']], limit: 50 });
  if (!rows.length) return '尚未尝试';
  return rows
    .map((a) => `${localTime(core, a.at)}  ${a.httpStatus ?? '无响应'}  ${a.ms} ms${a.error ? `  ${a.error}` : ''}`)
    .join('\n');
}
