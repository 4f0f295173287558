import type { Core } from '../../core/context.js';
import { ROLE_LABELS } from '../../core/permissions.js';
import type { Operator } from '../../models/index.js';
import { StewardResource, containsRule, prefixRule } from '../adapter/steward-resource.js';
import { operatorActions } from '../actions/operators.js';
import { operatorLoginActions } from '../actions/operator-login.js';
import { identityLines, linkIdentityAction } from '../actions/operator-identities.js';
import { identitiesOf } from '../../core/operators.js';
import { off, permit } from '../features/permissions.js';
import { COMPONENTS } from '../components.js';

type Shown = {
  record?: { id: string; params: Record<string, unknown> };
  records?: { id: string; params: Record<string, unknown> }[];
};

/** Fills the `identities` param (企业微信 (wecom): zhangsan, one per line) of the shown records. */
function withIdentityLines(core: Core) {
  return async function identityLinesAfter<R extends Shown>(response: R): Promise<R> {
    const records = [...(response.records ?? []), ...(response.record ? [response.record] : [])];
    const byOperator = await identitiesOf(
      core,
      records.map((r) => Number(r.id)),
    );
    for (const r of records) r.params.identities = identityLines(byOperator.get(Number(r.id)));
    return response;
  };
}

/** Operators with their roles in Chinese; the password hash is never read. */
function operatorAdapter(core: Core): StewardResource<Operator> {
  return new StewardResource<Operator>(core.models.Operator, {
    skip: ['passwordHash'],
    filters: {
      // The 负责人 picker searches here: a name is found by any part of it (operators are few).
      displayName: containsRule('display_name'),
      email: prefixRule('email', (v) => v.trim().toLowerCase()),
      active: (v) => (v === 'true' || v === 'false' ? { active: v === 'true' } : null),
    },
    sorts: { id: 'id', displayName: 'displayName' },
    defaultSort: ['id', 'ASC'],
    toParams: (o) => {
      const { passwordHash: _hash, ...plain } = o.get({ plain: true }) as Operator & Record<string, unknown>;
      return {
        ...plain,
        roleLabels: o
          .roleList()
          .map((r) => ROLE_LABELS[r])
          .join('、'),
        password: '',
      };
    },
  });
}

/** 操作员: managed by admins only; the password hash is never read into the back office. */
export function operatorResource(core: Core) {
  return {
    resource: operatorAdapter(core),
    options: {
      id: 'operators',
      navigation: { name: 'system', icon: 'Settings' },
      titleProperty: 'displayName',
      listProperties: ['id', 'displayName', 'email', 'roleLabels', 'identities', 'active'],
      showProperties: ['id', 'displayName', 'email', 'roleLabels', 'identities', 'active', 'createdAt', 'updatedAt'],
      filterProperties: ['displayName', 'email', 'active'],
      properties: {
        displayName: { isTitle: true },
        roles: {
          availableValues: Object.entries(ROLE_LABELS).map(([value, label]) => ({ value, label })),
          components: { edit: COMPONENTS.RolesEdit },
        },
        roleLabels: {
          type: 'string' as const,
          isSortable: false,
          isVisible: { list: true, show: true, edit: false, filter: false },
        },
        identities: {
          type: 'textarea' as const,
          isSortable: false,
          isVisible: { list: true, show: true, edit: false, filter: false },
        },
        password: {
          type: 'password' as const,
          isSortable: false,
          isVisible: { list: false, show: false, edit: true, filter: false },
          description: '新建时必填; 修改时留空表示不改密码',
        },
      },
      actions: {
        // Linked chat accounts live in operator_identities: read for the rows shown, in one query.
        list: { ...permit('manageOperators'), after: withIdentityLines(core) },
        show: { ...permit('manageOperators'), after: withIdentityLines(core) },
        linkIdentity: linkIdentityAction(core),
        // Reference pickers (负责人, 操作员 filters) search names; every role may do that.
        search: { isAccessible: permit('view').isAccessible },
        ...operatorActions(core),
        ...operatorLoginActions(core),
        delete: off,
        bulkDelete: off,
      },
    },
  };
}
