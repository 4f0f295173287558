import { API_CUSTOMER_SCHEMA } from '../core/customers/api-view.js';
import { ERROR_SCHEMA } from './errors.js';
import { API_BASE } from './registry.js';
import { isMutating, responsesOf } from './responses.js';
import type { ApiRoute, JsonSchema } from './types.js';

type Parameter = {
  name: string;
  in: 'path' | 'query' | 'header';
  required: boolean;
  description?: string;
  schema: JsonSchema;
};

/** An object schema's properties as OpenAPI parameters. */
function parametersOf(schema: JsonSchema | undefined, where: 'path' | 'query'): Parameter[] {
  if (!schema) return [];
  const props = (schema.properties ?? {}) as Record<string, JsonSchema>;
  const required = new Set((schema.required ?? []) as string[]);
  return Object.entries(props).map(([name, s]) => ({
    name,
    in: where,
    required: where === 'path' || required.has(name),
    ...(typeof s.description === 'string'
      ? { description: s.description }
      : typeof s.title === 'string'
        ? { description: s.title }
        : {}),
    schema: s,
  }));
}

const IDEMPOTENCY_HEADER: Parameter = {
  name: 'Idempotency-Key',
  in: 'header',
  required: false,
  description:
    '可选。重试时带上同一个键 (例如 UUID): 同键同内容返回第一次的结果而不会重复执行; 同键不同内容返回 422。键保留 24 小时。',
  schema: { type: 'string', minLength: 1, maxLength: 191 },
};

/** One operation, from the same route spec the registry validates with. */
function operation(route: ApiRoute): Record<string, unknown> {
  const parameters = [
    ...parametersOf(route.params, 'path'),
    ...parametersOf(route.query, 'query'),
    ...(isMutating(route.method) ? [IDEMPOTENCY_HEADER] : []),
  ];
  const responses: Record<string, unknown> = {};
  for (const [status, doc] of Object.entries(responsesOf(route))) {
    responses[status] = {
      description: doc.description,
      ...(doc.schema ? { content: { 'application/json': { schema: doc.schema } } } : {}),
    };
  }
  return {
    operationId: route.operationId,
    summary: route.summary,
    ...(route.description ? { description: route.description } : {}),
    tags: [route.tag],
    security: [{ bearer: [] }],
    'x-scope': route.scope,
    ...(parameters.length ? { parameters } : {}),
    ...(route.body ? { requestBody: { required: true, content: { 'application/json': { schema: route.body } } } } : {}),
    responses,
  };
}

/** The OpenAPI 3.1 document of the API. */
export function openApiDocument(routes: ApiRoute[], serverUrl = API_BASE): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of routes) (paths[route.path] ??= {})[route.method.toLowerCase()] = operation(route);
  return {
    openapi: '3.1.0',
    jsonSchemaDialect: 'https://json-schema.org/draft/2020-12/schema',
    info: {
      title: 'customer-steward 客户主数据管家 API',
      version: '1',
      description: [
        '给进销存/ERP 等系统用的 JSON 接口。认证: 请求头 `Authorization: Bearer <令牌>` (管理员用 `steward api-token create` 或后台「API 令牌」创建, 只显示一次)。',
        '所有错误的格式都是 `{ "error": { "code", "message", "details" } }`, message 为中文。',
        'POST/PUT/PATCH 可带 `Idempotency-Key` 请求头安全重试。每个令牌有频率限制, 超出返回 429 和 Retry-After。',
      ].join('\n\n'),
    },
    servers: [{ url: serverUrl }],
    security: [{ bearer: [] }],
    tags: [...new Set(routes.map((r) => r.tag))].map((name) => ({ name })),
    paths,
    components: {
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'stw_…', description: '以 stw_ 开头的 API 令牌' },
      },
      schemas: { Error: ERROR_SCHEMA, Customer: API_CUSTOMER_SCHEMA as unknown as JsonSchema },
    },
  };
}
