import { UniqueConstraintError } from 'sequelize';
import { ROLES, type Operator, type Role } from '../../models/index.js';
import { withTransaction } from '../../models/tx.js';
import { appendAudit } from '../audit.js';
import type { Actor, Core } from '../context.js';
import { hashPassword } from '../credentials/passwords.js';
import { DomainError, validationError, type FieldError } from '../errors.js';
import { assertCan, ROLE_LABELS } from '../permissions.js';

/** An operator's fields after checking; absent fields are left as they are. */
export interface OperatorForm {
  displayName?: string;
  email?: string | null;
  roles?: Role[];
  password?: string | null;
  active?: boolean;
}

const blank = (v: unknown) => v === undefined || v === null || String(v).trim() === '';
const clean = (v: unknown) => (blank(v) ? null : String(v).trim());

/** Where each field check puts its value or its problem. */
interface Checked {
  form: OperatorForm;
  errors: FieldError[];
}

function checkName(payload: Record<string, unknown>, creating: boolean, c: Checked): void {
  const name = clean(payload.displayName);
  if (name === null && !creating) return;
  if (!name || name.length > 100) c.errors.push({ field: 'displayName', message: '姓名必填, 最多 100 个字' });
  else c.form.displayName = name;
}

function checkEmail(payload: Record<string, unknown>, c: Checked): void {
  const email = clean(payload.email)?.toLowerCase() ?? null;
  if (email !== null && !/^[^@\s]+@[^@\s]+$/.test(email))
    c.errors.push({ field: 'email', message: '邮箱格式不对, 例如 zhang@example.com' });
  else if (payload.email !== undefined) c.form.email = email;
}

/** Roles as keys (admin) or the Chinese names people type (管理员), separated by commas, 、 or spaces. */
function checkRoles(payload: Record<string, unknown>, creating: boolean, c: Checked): void {
  if (payload.roles === undefined && !creating) return;
  const byLabel = new Map(Object.entries(ROLE_LABELS).map(([k, v]) => [v, k]));
  const raw = Array.isArray(payload.roles) ? payload.roles.join(',') : String(payload.roles ?? '');
  const roles = raw
    .split(/[,，、\s]+/)
    .map((r) => r.trim())
    .filter(Boolean)
    .map((r) => byLabel.get(r) ?? r);
  const unknown = roles.filter((r) => !(ROLES as readonly string[]).includes(r));
  if (!roles.length || unknown.length)
    c.errors.push({
      field: 'roles',
      message: `请至少勾选一个角色: ${ROLES.map((r) => ROLE_LABELS[r]).join('、')}${unknown.length ? `; 不认识: ${unknown.join(', ')}` : ''}`,
    });
  else c.form.roles = [...new Set(roles)] as Role[];
}

/** A new operator needs an initial password; a blank one on an edit keeps the old. */
function checkPassword(payload: Record<string, unknown>, creating: boolean, c: Checked): void {
  const password = blank(payload.password) ? null : String(payload.password);
  if (password !== null && (password.length < 8 || password.length > 200))
    c.errors.push({ field: 'password', message: '密码至少 8 位, 最多 200 位' });
  else if (password !== null) c.form.password = password;
  if (creating && password === null)
    c.errors.push({ field: 'password', message: '新操作员需要设置初始密码 (至少 8 位), 否则无法登录后台' });
}

/**
 * Checks an operator's fields as a door received them (text, or roles as a list); every problem is
 * reported at once, in Chinese. Roles may be keys (admin) or the Chinese names people type (管理员).
 */
export function checkOperatorInput(payload: Record<string, unknown>, creating: boolean): OperatorForm {
  const c: Checked = { form: {}, errors: [] };
  checkName(payload, creating, c);
  checkEmail(payload, c);
  checkRoles(payload, creating, c);
  checkPassword(payload, creating, c);
  if (payload.active !== undefined) c.form.active = payload.active === true || payload.active === 'true';
  if (c.errors.length) throw validationError(c.errors);
  return c.form;
}

/** Nobody locks themselves out: an admin cannot deactivate their own account or drop their own admin role. */
function guardSelf(actor: Actor, target: Operator, form: OperatorForm): void {
  if (actor.operator.id !== target.id) return;
  if (form.active === false)
    throw new DomainError('CONFLICT', '不能停用自己的账号; 请让另一位管理员操作。', { field: 'active' });
  if (form.roles && !form.roles.includes('admin'))
    throw new DomainError('CONFLICT', '不能去掉自己的管理员角色; 请让另一位管理员操作, 以免没有人能管理后台。', {
      field: 'roles',
    });
}

/** Creates (id null) or changes an operator in one transaction with an audit event; passwords are scrypt-hashed. */
export async function saveOperator(core: Core, actor: Actor, id: number | null, form: OperatorForm): Promise<Operator> {
  assertCan(actor.operator, 'manageOperators');
  return withTransaction(core.models.sequelize, async (t) => {
    const target = id ? await core.models.Operator.findByPk(id, { transaction: t, lock: t.LOCK.UPDATE }) : null;
    if (id && !target) throw new DomainError('NOT_FOUND', `找不到操作员 #${id}。`);
    if (target) guardSelf(actor, target, form);
    const { password, roles, ...rest } = form;
    const values: Record<string, unknown> = {
      ...rest,
      ...(roles ? { roles: roles.join(',') } : {}),
      ...(password ? { passwordHash: await hashPassword(password) } : {}),
    };
    let row: Operator;
    try {
      row = target
        ? await target.update(values, { transaction: t })
        : await core.models.Operator.create({ active: true, email: null, ...values } as never, { transaction: t });
    } catch (err) {
      if (!(err instanceof UniqueConstraintError)) throw err;
      // E-mail is the operator table's only unique column; chat accounts are linked apart (linkIdentity).
      throw new DomainError('CONFLICT', '该邮箱已被其他操作员使用。', { field: 'email' });
    }
    const changed = Object.keys(values).map((k) => (k === 'passwordHash' ? 'password' : k));
    await appendAudit(core, t, actor, {
      action: target ? 'operator.edit' : 'operator.create',
      info: { operatorId: row.id, fields: changed },
    });
    return row;
  });
}
