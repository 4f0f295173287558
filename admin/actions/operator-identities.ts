import type { ActionContext, ActionRequest, ActionResponse, RecordJSON } from 'adminjs';
import type { Core } from '../../core/context.js';
import { DomainError } from '../../core/errors.js';
import { channelLabel, identitiesOf, linkIdentity, unlinkIdentity, type Identity } from '../../core/operators.js';
import { COMPONENTS } from '../components.js';
import { freshRecord, text, throughCore } from '../features/core-errors.js';
import { permit } from '../features/permissions.js';

/** The messengers we ship; channels already in use are offered too, and any other id can be typed. */
const SHIPPED = ['wecom', 'dingtalk', 'feishu'];

/** `企业微信: zhangsan` lines, one per linked account. */
export function identityLines(list: Identity[] | undefined): string {
  return (list ?? []).map((i) => `${channelLabel(i.channel)}: ${i.externalId}`).join('\n');
}

async function channelChoices(core: Core): Promise<{ id: string; label: string }[]> {
  const used = await core.models.OperatorIdentity.findAll({ attributes: ['channel'], group: ['channel'] });
  const ids = [...new Set([...SHIPPED, ...used.map((u) => u.channel)])];
  return ids.map((id) => ({ id, label: channelLabel(id) }));
}

/** The record with its linked accounts and the channel choices, as the form reads them. */
async function withIdentities(core: Core, record: RecordJSON | null): Promise<RecordJSON | null> {
  if (!record) return record;
  const list = (await identitiesOf(core, [Number(record.id)])).get(Number(record.id)) ?? [];
  const identities = list.map((i) => ({ ...i, label: channelLabel(i.channel) }));
  return {
    ...record,
    params: {
      ...record.params,
      identitiesJson: JSON.stringify(identities),
      channelsJson: JSON.stringify(await channelChoices(core)),
    },
  };
}

/**
 * 关联聊天账号: links a chat account (channel + the user's id there) to the operator, or unlinks
 * one, through core's linkIdentity/unlinkIdentity (audited). GET shows the form; only POST changes.
 */
export function linkIdentityAction(core: Core) {
  return {
    actionType: 'record' as const,
    icon: 'Link',
    component: COMPONENTS.IdentityAction,
    ...permit('manageOperators'),
    handler: throughCore(async (request: ActionRequest, context: ActionContext, actor): Promise<ActionResponse> => {
      const id = Number(context.record!.id());
      if (request.method !== 'post')
        return { record: await withIdentities(core, context.record!.toJSON(context.currentAdmin)) };
      const p = request.payload;
      const op = text(p, 'op') ?? 'link';
      const channel = text(p, 'channel') ?? '';
      let message: string;
      if (op === 'unlink') {
        const { operator, identity } = await unlinkIdentity(core, actor, id, channel);
        message = `已解除操作员 ${operator.displayName} 的${channelLabel(identity.channel)}账号 ${identity.externalId}`;
      } else if (op === 'link') {
        const { operator, identity, replaced } = await linkIdentity(
          core,
          actor,
          id,
          channel,
          text(p, 'externalId') ?? '',
        );
        message = `已将${channelLabel(identity.channel)}账号 ${identity.externalId} 关联到操作员 ${operator.displayName}${replaced ? ` (替换原账号 ${replaced})` : ''}`;
      } else throw new DomainError('VALIDATION', '操作只能是「关联」或「解除关联」。', { field: 'op' });
      return { record: await withIdentities(core, await freshRecord(context)), notice: { message, type: 'success' } };
    }),
  };
}
