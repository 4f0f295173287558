import { createCustomer } from '../../core/customers/create.js';
import { duplicateCandidates } from '../../core/customers/duplicates.js';
import { editCustomer } from '../../core/customers/edit.js';
import { ownerNames } from '../../core/customers/ownership.js';
import type { CustomerInput } from '../../core/customers/schema.js';
import { FIELD_LABELS } from '../../core/customers/schema.js';
import type { Core } from '../../core/context.js';
import { DomainError } from '../../core/errors.js';
import type { CommandContext } from './context.js';
import type { CommandSpec } from './registry.js';
import { confirmButtons, storeConfirm, type Confirmable } from './confirmations.js';
import { resolveCustomer } from './resolve.js';

/** Chinese (and English) field words accepted in `字段=值`. */
const FIELDS: Record<string, keyof CustomerInput | 'owner'> = {
  编码: 'code',
  客户编码: 'code',
  code: 'code',
  名称: 'name',
  客户名称: 'name',
  name: 'name',
  联系人: 'contact',
  contact: 'contact',
  手机: 'phone',
  电话: 'phone',
  phone: 'phone',
  地址: 'address',
  address: 'address',
  分类: 'category',
  客户分类: 'category',
  group: 'category',
  备注: 'note',
  note: 'note',
  负责人: 'owner',
  owner: 'owner',
  区域: 'region',
  地区: 'region',
  region: 'region',
};

async function ownerId(core: Core, who: string): Promise<number> {
  const { Operator, OperatorIdentity } = core.models;
  // A name, or a chat account on any channel.
  const account = await OperatorIdentity.findOne({ where: { externalId: who }, order: [['id', 'ASC']] });
  const op =
    (await Operator.findOne({ where: { displayName: who } })) ??
    (account ? await Operator.findByPk(account.operatorId) : null);
  if (!op)
    throw new DomainError('VALIDATION', `找不到负责人「${who}」。请写操作员姓名或其聊天账号。`, {
      errors: [{ field: 'ownerId', message: '负责人不存在' }],
    });
  return op.id;
}

/** Named `字段=值` pairs as customer input; unknown field words are refused with the list. */
export async function fieldsFrom(ctx: CommandContext, named: Record<string, string>): Promise<CustomerInput> {
  const input: CustomerInput = {};
  for (const [word, value] of Object.entries(named)) {
    const key = FIELDS[word];
    if (!key)
      throw new DomainError(
        'VALIDATION',
        `不认识的字段「${word}」。可用字段: 名称、联系人、手机、地址、分类、区域、备注、负责人、编码。`,
        { errors: [{ field: word, message: '未知字段' }] },
      );
    if (key === 'owner') input.ownerId = await ownerId(ctx.core, value);
    else (input as Record<string, string>)[key] = value;
  }
  return input;
}

/** Creates after the user has seen any duplicate candidates. */
export async function doCreate(ctx: CommandContext, input: CustomerInput, allowDuplicates: boolean) {
  const { customer } = await createCustomer(ctx.core, ctx.actor, input, { allowDuplicates });
  return { text: `已新建客户 ${customer.code} ${customer.name}。` };
}

export const createCommand: Confirmable<{ input: CustomerInput }> = {
  id: 'customer.create',
  name: '新建客户',
  english: 'create',
  args: [{ name: 'name', label: '名称', rest: true }],
  permission: 'create',
  sideEffect: true,
  summary: '新建客户, 编码自动生成 (或写 编码=…); 发现疑似重复会先提醒',
  example: '新建客户 名称=杭州瑞丰五金有限公司 联系人=王伟 手机=13812345678 分类=经销商',
  async run(ctx) {
    const { name: _n, 名称: _m, ...named } = ctx.raw.named;
    const input = await fieldsFrom(ctx, named);
    input.name = ctx.raw.named['名称'] ?? ctx.raw.named['name'] ?? ctx.args.name;
    if (!input.name) return { text: `请写客户名称。\n例如: ${createCommand.example}` };
    if (input.ownerId === undefined && ctx.operator.roleList().includes('sales')) input.ownerId = ctx.operator.id;
    const dupes = await duplicateCandidates(ctx.core, input);
    if (!dupes.length) return doCreate(ctx, input, false);
    const key = await storeConfirm(ctx, createCommand, { input });
    const list = dupes
      .map((d) => `• ${d.code} ${d.name} (相同${d.matchedOn.map((m) => (m === 'phone' ? '手机' : '名称')).join('、')})`)
      .join('\n');
    return {
      text: `可能与已有客户重复:\n${list}\n如确认是不同的客户, 请在 ${Math.round(ctx.core.config.CONFIRM_TTL_SECONDS / 60)} 分钟内回复「确认 ${key}」继续创建; 回复其他内容取消。`,
      buttons: confirmButtons(createCommand, key),
    };
  },
  // Only when duplicates were shown: the user confirms these are different customers.
  confirm: { label: '新建', key: () => '新建', act: (ctx, p) => doCreate(ctx, p.input, true) },
};

/** The field words 修改客户 lists in its help (the first of each is the main one); every one is tested. */
export const EDIT_FIELD_WORDS: ReadonlyArray<readonly string[]> = [
  ['名称', '客户名称'],
  ['联系人'],
  ['手机', '电话'],
  ['地址'],
  ['分类', '客户分类'],
  ['备注'],
  ['负责人'],
];

const CODE_WORDS = Object.keys(FIELDS).filter((w) => FIELDS[w] === 'code');

/** `编码=` in 修改客户 is a new code, never the customer to edit: changing a code goes through 改编码 (approval). */
function codeChangeRefusal(target: string | undefined, named: Record<string, string>): string | null {
  const word = CODE_WORDS.find((w) => named[w] !== undefined);
  if (!word) return null;
  const from = target ?? '<旧编码>';
  return `「修改客户」不能改客户编码: ${word}=${named[word]} 会被当作新编码, 而不是要修改的客户 (要修改的客户写在命令后的第一个位置)。改编码需要审批, 请发「改编码 ${from} ${named[word]}」。本次没有做任何修改。`;
}

/** The chat lines of an edit's changes: personal fields masked, owners by name. */
export async function changeLines(core: Core, changes: Record<string, [unknown, unknown]>): Promise<string[]> {
  const masked = new Set(['phone', 'address']);
  const names = await ownerNames(core, changes.ownerId ?? []);
  const shown = (k: string, v: unknown) =>
    v === null || v === undefined || v === ''
      ? '—'
      : k === 'ownerId'
        ? (names.get(Number(v)) ?? '(已删除的操作员)')
        : String(v);
  return Object.keys(changes).map(
    (k) =>
      `• ${FIELD_LABELS[k] ?? k}: ${masked.has(k) ? '(已更新)' : `${shown(k, changes[k]![0])} → ${shown(k, changes[k]![1])}`}`,
  );
}

export const editCommand: CommandSpec = {
  id: 'customer.edit',
  name: '修改客户',
  english: 'edit',
  // Only by position: 编码=… is a field (the new code), so it must never pick the customer.
  args: [{ name: 'code', label: '编码', required: true, positional: true }],
  permission: 'edit',
  sideEffect: true,
  summary: `修改客户资料: 字段=值, 可写多个。字段: ${EDIT_FIELD_WORDS.map((w) => w.join('/')).join('、')}; 改编码请用「改编码」`,
  example: '修改客户 C20260012 联系人=李娜 手机=13900001111',
  async run(ctx) {
    const refusal = codeChangeRefusal(ctx.args.code, ctx.raw.named);
    if (refusal) return { text: refusal };
    const extra = ctx.raw.positional.slice(1);
    if (extra.length)
      return {
        text: `看不懂「${extra.join(' ')}」: 要修改的客户写在最前面, 其余请写成 字段=值 (值里不要有空格)。本次没有做任何修改。\n例如: ${editCommand.example}`,
      };
    const input = await fieldsFrom(ctx, ctx.raw.named);
    if (!Object.keys(input).length) return { text: `请写要改的字段, 格式 字段=值。\n例如: ${editCommand.example}` };
    const rest = Object.entries(ctx.raw.named)
      .map(([k, v]) => `${k}=${v}`)
      .join(' ');
    const found = await resolveCustomer(ctx, ctx.args.code!, '修改客户', rest);
    if (found.reply) return found.reply;
    const { customer, changes } = await editCustomer(ctx.core, ctx.actor, found.code, input);
    if (!Object.keys(changes).length) return { text: `客户 ${customer.code} 没有变化。` };
    return { text: `已修改客户 ${customer.code}:\n${(await changeLines(ctx.core, changes)).join('\n')}` };
  },
};
