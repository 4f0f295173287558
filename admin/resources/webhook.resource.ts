import type { Core } from '../../core/context.js';
import { WEBHOOK_DOOR } from '../../core/webhooks/enqueue.js';
import { WEBHOOK_EVENTS } from '../../core/webhooks/catalogue.js';
import type { BotOutbox, WebhookSubscription } from '../../models/index.js';
import { StewardResource, exactRule, rangeRule } from '../adapter/steward-resource.js';
import { attemptLog, replayAction, subscriptionActions } from '../actions/webhooks.js';
import { off, permit } from '../features/permissions.js';

const DELIVERY_STATUS = [
  { value: 'pending', label: '待发送' },
  { value: 'sending', label: '发送中' },
  { value: 'sent', label: '已送达' },
  { value: 'failed', label: '失败' },
];
const readOnlyProp = (list: boolean) => ({
  isVisible: { list, show: true, edit: false, filter: false },
  isSortable: false,
});
const adminOnly = () => ({
  list: permit('integrations'),
  show: permit('integrations'),
  search: { isAccessible: permit('integrations').isAccessible },
  edit: off,
  delete: off,
  bulkDelete: off,
});

/** Webhook 订阅: URL, event types and state; the secret is never read into the back office. */
export function webhookSubscriptionResource(core: Core) {
  return {
    resource: new StewardResource<WebhookSubscription>(core.models.WebhookSubscription, {
      skip: ['secretEnc'],
      filters: { active: (v) => (v === 'true' || v === 'false' ? { active: v === 'true' } : null) },
      sorts: { id: 'id' },
      defaultSort: ['id', 'DESC'],
    }),
    options: {
      id: 'webhook_subscriptions',
      navigation: { name: 'system', icon: 'Share2' },
      listProperties: ['id', 'url', 'events', 'active', 'createdBy', 'createdAt'],
      showProperties: ['id', 'url', 'events', 'active', 'createdBy', 'createdAt', 'updatedAt'],
      filterProperties: ['active'],
      properties: {
        url: { description: 'http(s):// 开头; 内网地址需在 WEBHOOK_ALLOW_HOSTS 中列出' },
        events: { description: `事件类型, 逗号分隔, * 表示全部: ${WEBHOOK_EVENTS.join(', ')}` },
        secret: {
          type: 'password' as const,
          isSortable: false,
          isVisible: { list: false, show: false, edit: true, filter: false },
          description: '签名密钥 (16–200 个字符); 留空则自动生成, 只在保存后的提示里显示一次',
        },
      },
      actions: { ...adminOnly(), ...subscriptionActions(core) },
    },
  };
}

/** The outbox rows of door 'webhook', with the event type and customer read from the payload. */
function deliveryAdapter(core: Core): StewardResource<BotOutbox> {
  return new StewardResource<BotOutbox>(core.models.BotOutbox, {
    hidden: ['payload', 'responseCode', 'door', 'targetKind'],
    filters: { status: exactRule('status'), targetId: exactRule('targetId'), createdAt: rangeRule('createdAt') },
    implicit: () => ({ door: WEBHOOK_DOOR }),
    sorts: { id: 'id' },
    defaultSort: ['id', 'DESC'],
    toParams: (row) => {
      const { payload, responseCode: _r, ...plain } = row.get({ plain: true }) as BotOutbox & Record<string, unknown>;
      let event: { type?: string; data?: { customer?: { code?: string } } } = {};
      try {
        event = JSON.parse(payload) as typeof event;
      } catch {
        // A row that is not JSON shows without its event fields.
      }
      return {
        ...plain,
        eventType: event.type ?? '',
        customerCode: event.data?.customer?.code ?? '',
        subscription: `#${row.targetId}`,
      };
    },
  });
}

/** Webhook 投递记录: the outbox rows of door 'webhook', with the attempt log and 重新投递. */
export function webhookDeliveryResource(core: Core) {
  return {
    resource: deliveryAdapter(core),
    options: {
      id: 'webhook_deliveries',
      navigation: { name: 'system', icon: 'Send' },
      sort: { sortBy: 'id', direction: 'desc' as const },
      listProperties: [
        'id',
        'eventType',
        'customerCode',
        'subscription',
        'status',
        'attempts',
        'httpStatus',
        'error',
        'lastAttemptAt',
        'createdAt',
      ],
      showProperties: [
        'id',
        'ref',
        'eventType',
        'customerCode',
        'subscription',
        'status',
        'attempts',
        'httpStatus',
        'error',
        'attemptLog',
        'notBefore',
        'lastAttemptAt',
        'sentAt',
        'createdAt',
      ],
      filterProperties: ['status', 'targetId', 'createdAt'],
      properties: {
        status: { availableValues: DELIVERY_STATUS },
        eventType: { type: 'string' as const, ...readOnlyProp(true) },
        customerCode: { type: 'string' as const, ...readOnlyProp(true) },
        subscription: { type: 'string' as const, ...readOnlyProp(true) },
        attemptLog: { type: 'textarea' as const, ...readOnlyProp(false) },
      },
      actions: {
        ...adminOnly(),
        new: off,
        show: {
          ...permit('integrations'),
          // The attempts come from webhook_attempts, read only for the one record shown.
          after: async (response: { record?: { id: string; params: Record<string, unknown> } }) => {
            if (response.record) response.record.params.attemptLog = await attemptLog(core, Number(response.record.id));
            return response;
          },
        },
        replay: replayAction(core),
      },
    },
  };
}
