import type { Core } from '../../core/context.js';
import { resetPassword } from '../../core/credentials/admin-account.js';
import { clearLoginDelays } from '../../core/credentials/throttle.js';
import { DomainError } from '../../core/errors.js';
import { assertCan } from '../../core/permissions.js';
import { COMPONENTS } from '../components.js';
import { freshRecord, throughCore } from '../features/core-errors.js';
import { permit } from '../features/permissions.js';

const record = { actionType: 'record' as const, component: COMPONENTS.ConfirmAction };
const hasEmail = (r: { param(p: string): unknown }) => Boolean(r.param('email'));

/** 解除登录限制 and 重置密码 on an operator (admins only): the back office's way to let someone back in. */
export function operatorLoginActions(core: Core) {
  return {
    unlockLogin: {
      ...record,
      icon: 'Unlock',
      custom: { message: '解除该操作员因多次输错密码而产生的登录等待 (所有 IP)。确定解除吗?', button: '解除限制' },
      ...permit('manageOperators', hasEmail),
      handler: throughCore(async (request, context, actor) => {
        if (request.method !== 'post') return { record: context.record!.toJSON(context.currentAdmin) };
        assertCan(actor.operator, 'manageOperators');
        const op = await core.models.Operator.findByPk(Number(context.record!.id()));
        if (!op?.email)
          throw new DomainError('VALIDATION', '该操作员没有登录邮箱, 不能登录后台, 也就没有登录限制。', {
            field: 'email',
          });
        const cleared = await clearLoginDelays(core, op.email);
        return {
          record: await freshRecord(context),
          notice: {
            message: cleared ? `已解除 ${op.displayName} 的登录限制` : `${op.displayName} 目前没有登录限制`,
            type: 'success',
          },
        };
      }),
    },
    resetPassword: {
      ...record,
      icon: 'Key',
      custom: {
        message:
          '生成一次性密码并退出该操作员的所有后台登录; 对方登录后须立即设置新密码。一次性密码只显示这一次, 请当面或电话告知本人。',
        button: '重置密码',
        danger: true,
      },
      ...permit('manageOperators', hasEmail),
      handler: throughCore(async (request, context, actor) => {
        if (request.method !== 'post') return { record: context.record!.toJSON(context.currentAdmin) };
        const op = await core.models.Operator.findByPk(Number(context.record!.id()));
        if (!op) throw new DomainError('NOT_FOUND', `找不到操作员 #${context.record!.id()}。`);
        const { password } = await resetPassword(core, actor, op);
        return {
          record: await freshRecord(context),
          notice: { message: `${op.displayName} 的一次性密码: ${password} (只显示这一次)`, type: 'success' },
        };
      }),
    },
  };
}
