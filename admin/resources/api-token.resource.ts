import type { ActionContext, ActionRequest, ActionResponse, RecordJSON } from 'adminjs';
import type { Core } from '../../core/context.js';
import { API_SCOPES, SCOPE_LABELS } from '../../core/api/scopes.js';
import { createApiToken, revokeApiToken, TOKEN_CACHE_MS } from '../../core/api/tokens.js';
import { isDomainError } from '../../core/errors.js';
import type { ApiToken } from '../../models/index.js';
import { StewardResource } from '../adapter/steward-resource.js';
import { adminActor } from '../auth/session.js';
import { COMPONENTS } from '../components.js';
import { fieldErrors, freshRecord, refusal, text, throughCore } from '../features/core-errors.js';
import { off, permit } from '../features/permissions.js';

const STATES = [
  { value: 'active', label: '有效' },
  { value: 'expired', label: '已过期' },
  { value: 'revoked', label: '已吊销' },
];
const shown = (list: boolean) => ({ isVisible: { list, show: true, edit: false, filter: false }, isSortable: false });

function stateOf(core: Core, t: ApiToken): string {
  if (t.revokedAt) return 'revoked';
  return t.expiresAt && t.expiresAt.getTime() <= core.now().getTime() ? 'expired' : 'active';
}

/** 新建令牌: through core; the token is shown once, in the notice, and never again. */
async function create(core: Core, request: ActionRequest, context: ActionContext): Promise<ActionResponse> {
  if (request.method !== 'post') return {};
  const payload = request.payload ?? {};
  try {
    const { token, info } = await createApiToken(core, adminActor(context.currentAdmin), {
      name: text(payload, 'name') ?? '',
      scopes: text(payload, 'scopes') ?? '',
      expires: text(payload, 'expires'),
    });
    return {
      redirectUrl: context.h.resourceUrl({ resourceId: context.resource.id() }),
      notice: {
        message: `已创建 API 令牌「${info.name}」。令牌只显示这一次, 请立即复制保存: ${token}`,
        type: 'success',
      },
      record: await freshRecord(context, info.id),
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
      params: { ...payload },
      errors: fieldErrors(err),
    } as RecordJSON;
    return refusal(err, record);
  }
}

/** Columns: the scopes spelled out, a write-only expiry date, and the computed state and prefix. */
const PROPERTIES = {
  name: { isTitle: true, description: '例如 erp; 审计日志里显示为 API:<名称>' },
  scopes: { description: `逗号分隔: ${API_SCOPES.map((s) => `${s} (${SCOPE_LABELS[s]})`).join('; ')}` },
  expires: {
    type: 'string' as const,
    isSortable: false,
    isVisible: { list: false, show: false, edit: true, filter: false },
    description: '过期日期 YYYY-MM-DD, 留空则永不过期',
  },
  state: { availableValues: STATES, ...shown(true) },
  prefix: { type: 'string' as const, ...shown(true) },
};

/** 吊销令牌: a revoked token stops working at once here, and within the token cache on other instances. */
function revokeTokenAction(core: Core) {
  return {
    actionType: 'record' as const,
    component: COMPONENTS.ConfirmAction,
    icon: 'Slash',
    custom: {
      message: `吊销后这个令牌立即不能再调用 API (其他服务实例最多 ${TOKEN_CACHE_MS / 1000} 秒内生效), 不能撤销。确定吊销吗?`,
      button: '吊销令牌',
      danger: true,
    },
    ...permit('integrations', (r) => !r.param('revokedAt')),
    handler: throughCore(async (request, context, actor) => {
      if (request.method !== 'post') return { record: context.record!.toJSON(context.currentAdmin) };
      const t = await revokeApiToken(core, actor, String(context.record!.param('name')));
      return {
        record: await freshRecord(context),
        notice: { message: `已吊销令牌「${t.name}」`, type: 'success' },
      };
    }),
  };
}

/** API 令牌: admins create (shown once), list and revoke; the hash never reaches the back office. */
export function apiTokenResource(core: Core) {
  return {
    resource: new StewardResource<ApiToken>(core.models.ApiToken, {
      skip: ['tokenHash'],
      sorts: { id: 'id', name: 'name', lastUsedAt: 'lastUsedAt' },
      defaultSort: ['id', 'DESC'],
      toParams: (t) => ({
        ...(t.get({ plain: true }) as Record<string, unknown>),
        state: stateOf(core, t),
        prefix: `${t.prefix}…`,
      }),
    }),
    options: {
      id: 'api_tokens',
      navigation: { name: 'system', icon: 'Key' },
      titleProperty: 'name',
      listProperties: ['id', 'name', 'prefix', 'scopes', 'state', 'expiresAt', 'lastUsedAt', 'createdBy', 'createdAt'],
      showProperties: [
        'id',
        'name',
        'prefix',
        'scopes',
        'state',
        'expiresAt',
        'lastUsedAt',
        'revokedAt',
        'createdBy',
        'createdAt',
      ],
      filterProperties: [],
      properties: PROPERTIES,
      actions: {
        list: permit('integrations'),
        show: permit('integrations'),
        search: { isAccessible: permit('integrations').isAccessible },
        new: {
          ...permit('integrations'),
          layout: ['name', 'scopes', 'expires'],
          handler: (request: ActionRequest, _r: unknown, context: ActionContext) => create(core, request, context),
        },
        revokeToken: revokeTokenAction(core),
        edit: off,
        delete: off,
        bulkDelete: off,
      },
    },
  };
}
