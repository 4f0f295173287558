import {
  assertOwnerExists,
  getCustomerForApi,
  listCustomersForApi,
  type CustomerListQuery,
} from '../../core/api/customers.js';
import { createCustomer } from '../../core/customers/create.js';
import { editCustomer } from '../../core/customers/edit.js';
import { normalizeCode } from '../../core/customers/codes.js';
import type { CustomerInput } from '../../core/customers/schema.js';
import { DomainError, isDomainError } from '../../core/errors.js';
import { apiError } from '../errors.js';
import { API_BASE } from '../registry.js';
import type { ApiDeps, ApiRequest, ApiResult, ApiRoute } from '../types.js';
import { CODE_PARAMS, CREATE_BODY, CUSTOMER, EDIT_BODY, LIST_PAGE, LIST_QUERY } from './schemas.js';
import { ERROR_SCHEMA } from '../errors.js';

const notFound = { description: '没有这个客户编码 (CUSTOMER_NOT_FOUND)', schema: ERROR_SCHEMA };

/** A customer answer with its version as the ETag (send it back as If-Match to update). */
export async function customerAnswer(deps: ApiDeps, req: ApiRequest, code: string, status = 200): Promise<ApiResult> {
  const customer = await getCustomerForApi(deps.core, req.caller.actor, code);
  // An old code of a merged customer answers with the survivor, and says so.
  const asked = normalizeCode(code);
  const merged: Record<string, string> =
    customer.code !== asked
      ? { 'X-Merged-From': encodeURIComponent(asked), 'X-Merged-Into': encodeURIComponent(customer.code) }
      : {};
  return {
    status,
    body: customer,
    headers: {
      ETag: `"${customer.version}"`,
      ...merged,
      ...(status === 201 ? { Location: `${API_BASE}/customers/${encodeURIComponent(customer.code)}` } : {}),
    },
  };
}

/** `If-Match: 3`, `"3"` or `W/"3"` → 3; missing → 428; anything else → 422. */
function expectedVersion(req: ApiRequest): number {
  const raw = req.headers['if-match'];
  if (!raw)
    throw apiError(
      'PRECONDITION_REQUIRED',
      '修改客户必须带请求头 If-Match: <版本号> (即读取客户时的 version 或 ETag), 以免覆盖别人的修改。',
      { header: 'If-Match' },
    );
  const m = /^\s*(?:W\/)?"?(\d{1,9})"?\s*$/.exec(raw);
  if (!m)
    throw new DomainError('VALIDATION', `请求头 If-Match 应为客户的版本号, 例如 If-Match: 3 (收到「${raw}」)。`, {
      errors: [{ field: 'If-Match', message: 'If-Match 应为版本号' }],
    });
  return Number(m[1]);
}

export const customerRoutes: ApiRoute[] = [
  {
    operationId: 'listCustomers',
    method: 'GET',
    path: '/customers',
    scope: 'customers:read',
    tag: '客户',
    summary: '客户列表 (按最近变动时间排序, 游标分页)',
    description:
      '按 updatedAt、id 升序返回, 适合增量同步: 记下最后一次同步时间作为 updatedSince。默认不含已删除客户 (status=deleted 可查)。',
    query: LIST_QUERY,
    responses: { 200: { description: '一页客户', schema: LIST_PAGE } },
    async handler(req, deps) {
      return { body: await listCustomersForApi(deps.core, req.caller.actor, req.query as CustomerListQuery) };
    },
  },
  {
    operationId: 'getCustomer',
    method: 'GET',
    path: '/customers/{code}',
    scope: 'customers:read',
    tag: '客户',
    summary: '按编码查客户',
    description:
      '已删除的客户也能查到 (status=deleted, 个人信息不再返回)。ETag 响应头为版本号。已合并客户的旧编码返回合并后的客户, 并带响应头 X-Merged-From (旧编码) 和 X-Merged-Into (现编码)。',
    params: CODE_PARAMS,
    responses: { 200: { description: '客户', schema: CUSTOMER }, 404: notFound },
    handler: (req, deps) => customerAnswer(deps, req, req.params.code!),
  },
  {
    operationId: 'createCustomer',
    method: 'POST',
    path: '/customers',
    scope: 'customers:write',
    tag: '客户',
    summary: '新建客户 (自动或指定编码)',
    description:
      '不带 code 时按编码规则自动生成。疑似重复 (同名或同手机号) 时返回 409 CONFLICT 并在 details.duplicates 列出; 确认后带 allowDuplicates: true 重新提交。',
    body: CREATE_BODY,
    responses: {
      201: { description: '已创建; Location 指向新客户', schema: CUSTOMER },
      409: {
        description:
          '编码已被占用 (CODE_TAKEN), 疑似重复 (CONFLICT, details.duplicates), 或同一 Idempotency-Key 的请求正在处理 (IDEMPOTENCY_IN_PROGRESS)',
        schema: ERROR_SCHEMA,
      },
    },
    async handler(req, deps) {
      const { allowDuplicates, ...input } = req.body as CustomerInput & { allowDuplicates?: boolean };
      await assertOwnerExists(deps.core, input.ownerId);
      const created = await createCustomer(deps.core, req.caller.actor, input, {
        allowDuplicates: allowDuplicates === true,
      });
      return customerAnswer(deps, req, created.customer.code, 201);
    },
  },
  {
    operationId: 'updateCustomer',
    method: 'PATCH',
    path: '/customers/{code}',
    scope: 'customers:write',
    tag: '客户',
    summary: '修改客户 (需 If-Match: <版本号>)',
    description:
      '只改请求体里给出的字段。If-Match 必须是读取时的 version; 期间有人改过则返回 412, 请重新读取后再改。缺少 If-Match 返回 428。',
    params: CODE_PARAMS,
    body: EDIT_BODY,
    responses: {
      200: { description: '修改后的客户', schema: CUSTOMER },
      404: notFound,
      409: {
        description:
          '客户已删除 (CUSTOMER_DELETED), 新编码已被占用 (CODE_TAKEN), 已有订单不能改编码 (CODE_LOCKED), 或同键请求处理中',
        schema: ERROR_SCHEMA,
      },
      412: { description: '版本号已过期: 客户在此期间被修改过 (PRECONDITION_FAILED)', schema: ERROR_SCHEMA },
      428: { description: '缺少 If-Match 请求头 (PRECONDITION_REQUIRED)', schema: ERROR_SCHEMA },
    },
    async handler(req, deps) {
      const version = expectedVersion(req);
      await assertOwnerExists(deps.core, (req.body as CustomerInput).ownerId);
      try {
        const r = await editCustomer(deps.core, req.caller.actor, req.params.code!, {
          ...(req.body as CustomerInput),
          version,
        });
        return await customerAnswer(deps, req, r.customer.code);
      } catch (err) {
        if (isDomainError(err) && err.code === 'STALE_VERSION') {
          throw apiError(
            'PRECONDITION_FAILED',
            `客户已被他人修改 (当前版本 ${String(err.details.actual)}, 你提供的是 ${version})。请重新读取客户后再改。`,
            { currentVersion: err.details.actual, expected: version },
          );
        }
        throw err;
      }
    },
  },
];
