import { UniqueConstraintError, type Transaction } from 'sequelize';
import type { Operator } from '../models/index.js';
import { withTransaction } from '../models/tx.js';
import { appendAudit } from './audit.js';
import type { Actor, Core } from './context.js';
import { DomainError } from './errors.js';
import { assertCan } from './permissions.js';

// Passwords, sessions and the admin login live in core/credentials/; re-exported for the doors' imports.
export { hashPassword, verifyPassword, needsRehash } from './credentials/passwords.js';
export { ensureAdmin, resetPassword } from './credentials/admin-account.js';
// Creating and changing operators (validation, the self-lock-out guard, hashing, audit): core/operators/save.ts.
export { checkOperatorInput, saveOperator, type OperatorForm } from './operators/save.js';

/** A chat channel id: its folder under bot/channels/ and its identity namespace. */
export const CHANNEL_ID_PATTERN = /^[a-z][a-z0-9-]{1,31}$/;

/** Chinese names of the channels we ship; core may not import bot/, so this small map lives here. */
const CHANNEL_LABELS: Record<string, string> = {
  wecom: '企业微信',
  dingtalk: '钉钉',
  feishu: '飞书',
  console: '控制台',
};

/** The name users see for a channel id (企业微信, 钉钉, 飞书), else the id itself. */
export function channelLabel(channel: string): string {
  return CHANNEL_LABELS[channel] ?? channel;
}

/** One chat account of an operator. */
export interface Identity {
  channel: string;
  externalId: string;
}

function checkChannel(channel: string): string {
  const c = String(channel ?? '').trim();
  if (!CHANNEL_ID_PATTERN.test(c)) {
    throw new DomainError(
      'VALIDATION',
      `不认识的聊天渠道「${c.slice(0, 40)}」: 渠道 ID 为 2-32 位小写字母、数字或连字符, 以字母开头, 例如 wecom (企业微信)、dingtalk (钉钉)、feishu (飞书)。`,
      { field: 'channel' },
    );
  }
  return c;
}

function checkExternalId(channel: string, externalId: string): string {
  const id = String(externalId ?? '').trim();
  // Control characters would never come from a messenger and would corrupt logs and lists.
  // eslint-disable-next-line no-control-regex
  if (!id || id.length > 128 || /[\u0000-\u001f\u007f]/.test(id)) {
    throw new DomainError(
      'VALIDATION',
      `${channelLabel(channel)}账号 ID 必填, 最多 128 个字符, 不能含换行等控制字符 (例如 zhangsan)。`,
      { field: 'externalId' },
    );
  }
  return id;
}

/** The active operator a chat user is on a channel, or null. */
export async function operatorByIdentity(
  core: Core,
  channel: string,
  externalId: string,
  t?: Transaction,
): Promise<Operator | null> {
  const { Operator, OperatorIdentity } = core.models;
  const link = await OperatorIdentity.findOne({
    where: { channel, externalId },
    attributes: ['operatorId'],
    transaction: t,
  });
  if (!link) return null;
  return Operator.findOne({ where: { id: link.operatorId, active: true }, transaction: t });
}

/** Every linked chat account of the given operators, by operator id (channel order). */
export async function identitiesOf(
  core: Core,
  operatorIds: number[],
  t?: Transaction,
): Promise<Map<number, Identity[]>> {
  const out = new Map<number, Identity[]>();
  const ids = [...new Set(operatorIds)];
  if (!ids.length) return out;
  const rows = await core.models.OperatorIdentity.findAll({
    where: { operatorId: ids },
    order: [['channel', 'ASC']],
    transaction: t,
  });
  for (const r of rows) {
    const list = out.get(r.operatorId) ?? [];
    list.push({ channel: r.channel, externalId: r.externalId });
    out.set(r.operatorId, list);
  }
  return out;
}

async function conflict(
  core: Core,
  channel: string,
  externalId: string,
  operator: Operator,
  t?: Transaction,
): Promise<DomainError | null> {
  const other = await core.models.OperatorIdentity.findOne({ where: { channel, externalId }, transaction: t });
  if (!other || other.operatorId === operator.id) return null;
  const owner = await core.models.Operator.findByPk(other.operatorId, {
    attributes: ['id', 'displayName'],
    transaction: t,
  });
  const label = channelLabel(channel);
  return new DomainError(
    'CONFLICT',
    `该${label}账号已关联到操作员 ${owner?.displayName ?? `#${other.operatorId}`}, 不能再关联给 ${operator.displayName}; 如需转移, 请先在原操作员处解除关联。`,
    { field: 'externalId', operatorId: other.operatorId },
  );
}

async function lockedOperator(core: Core, operatorId: number, t: Transaction): Promise<Operator> {
  const row = await core.models.Operator.findByPk(operatorId, { transaction: t, lock: t.LOCK.UPDATE });
  if (!row) throw new DomainError('NOT_FOUND', `找不到操作员 #${operatorId}。`, { field: 'operatorId' });
  return row;
}

/**
 * Links a chat account to an operator (admins only), replacing the operator's earlier account on
 * that channel; refuses an account that belongs to someone else. Audited as operator.identity.link.
 */
export async function linkIdentity(
  core: Core,
  actor: Actor,
  operatorId: number,
  channel: string,
  externalId: string,
): Promise<{ operator: Operator; identity: Identity; replaced: string | null }> {
  assertCan(actor.operator, 'manageOperators');
  const ch = checkChannel(channel);
  const ext = checkExternalId(ch, externalId);
  try {
    return await withTransaction(core.models.sequelize, async (t) => {
      const operator = await lockedOperator(core, operatorId, t);
      const taken = await conflict(core, ch, ext, operator, t);
      if (taken) throw taken;
      const current = await core.models.OperatorIdentity.findOne({
        where: { operatorId, channel: ch },
        transaction: t,
      });
      if (current?.externalId === ext) return { operator, identity: { channel: ch, externalId: ext }, replaced: null };
      if (current) await current.destroy({ transaction: t });
      await core.models.OperatorIdentity.create({ operatorId, channel: ch, externalId: ext }, { transaction: t });
      const replaced = current?.externalId ?? null;
      await appendAudit(core, t, actor, {
        action: 'operator.identity.link',
        info: { operatorId, channel: ch, externalId: ext, ...(replaced ? { replaced } : {}) },
      });
      return { operator, identity: { channel: ch, externalId: ext }, replaced };
    });
  } catch (err) {
    // Another admin linked the same account a moment ago: say who has it, as the check above would.
    if (!(err instanceof UniqueConstraintError)) throw err;
    const operator = await core.models.Operator.findByPk(operatorId);
    const taken = operator && (await conflict(core, ch, ext, operator));
    throw (
      taken ??
      new DomainError('CONFLICT', `${channelLabel(ch)}账号刚被同时修改, 请刷新后重试。`, { field: 'externalId' })
    );
  }
}

/** Removes an operator's chat account on one channel (admins only). Audited as operator.identity.unlink. */
export async function unlinkIdentity(
  core: Core,
  actor: Actor,
  operatorId: number,
  channel: string,
): Promise<{ operator: Operator; identity: Identity }> {
  assertCan(actor.operator, 'manageOperators');
  const ch = checkChannel(channel);
  return withTransaction(core.models.sequelize, async (t) => {
    const operator = await lockedOperator(core, operatorId, t);
    const current = await core.models.OperatorIdentity.findOne({ where: { operatorId, channel: ch }, transaction: t });
    if (!current)
      throw new DomainError('NOT_FOUND', `操作员 ${operator.displayName} 没有关联${channelLabel(ch)}账号, 无需解除。`, {
        field: 'channel',
      });
    await current.destroy({ transaction: t });
    await appendAudit(core, t, actor, {
      action: 'operator.identity.unlink',
      info: { operatorId, channel: ch, externalId: current.externalId },
    });
    return { operator, identity: { channel: ch, externalId: current.externalId } };
  });
}

/**
 * The operator a person means by `ref`: an id (digits or #12), a login e-mail, or an exact display
 * name; a name two operators share is refused, naming them.
 */
export async function findOperator(core: Core, ref: string): Promise<Operator> {
  const r = String(ref ?? '').trim();
  const { Operator } = core.models;
  const byId = /^#?(\d{1,9})$/.exec(r);
  const found = byId
    ? [await Operator.findByPk(Number(byId[1]))].filter((o): o is Operator => o !== null)
    : r.includes('@')
      ? await Operator.findAll({ where: { email: r.toLowerCase() } })
      : await Operator.findAll({ where: { displayName: r }, limit: 5 });
  if (found.length > 1)
    throw new DomainError(
      'CONFLICT',
      `有 ${found.length} 位操作员都叫「${r}」(${found.map((o) => `#${o.id}`).join('、')}): 请改用编号或登录邮箱。`,
      { field: 'operator' },
    );
  if (!found[0])
    throw new DomainError('NOT_FOUND', `找不到操作员「${r.slice(0, 100)}」: 请填写操作员编号、登录邮箱或姓名。`, {
      field: 'operator',
    });
  return found[0];
}

/** Every active operator (jobs pick whom to tell from them). */
export async function activeOperators(core: Core): Promise<Operator[]> {
  return core.models.Operator.findAll({ where: { active: true } });
}

/** Every active admin: who hears of failed jobs and of things nobody owns. */
export async function activeAdmins(core: Core): Promise<Operator[]> {
  return (await activeOperators(core)).filter((o) => o.roleList().includes('admin'));
}

/** Every operator with its linked chat accounts, by id (admins only). */
export async function listOperators(
  core: Core,
  actor: Actor,
): Promise<{ operator: Operator; identities: Identity[] }[]> {
  assertCan(actor.operator, 'manageOperators');
  const ops = await core.models.Operator.findAll({ order: [['id', 'ASC']] });
  const ids = await identitiesOf(
    core,
    ops.map((o) => o.id),
  );
  return ops.map((operator) => ({ operator, identities: ids.get(operator.id) ?? [] }));
}
