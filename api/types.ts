import type { Actor, Core } from '../core/context.js';
import type { Logger } from '../core/logger.js';
import type { ApprovalNotifier } from '../core/notify-port.js';

/** What a token may be granted. */
export const SCOPES = ['customers:read', 'customers:write', 'ledger:read', 'ledger:write'] as const;
export type Scope = (typeof SCOPES)[number];

/** A JSON schema (draft 2020-12 subset that ajv and OpenAPI 3.1 both read). */
export type JsonSchema = Record<string, unknown>;

/** The verified caller of one request. */
export interface ApiCaller {
  tokenId: number;
  tokenName: string;
  scopes: Scope[];
  /** Door `api`, displayName `API:<token name>`; what core functions receive. */
  actor: Actor;
}

/** One request as a handler sees it: validated input, never raw Koa. */
export interface ApiRequest {
  params: Record<string, string>;
  query: Record<string, unknown>;
  body: unknown;
  /** Lower-case header names. */
  headers: Record<string, string | undefined>;
  caller: ApiCaller;
  requestId: string;
  log: Logger;
}

/** A handler's answer; errors are thrown as DomainError and mapped in one place. */
export interface ApiResult {
  status?: number;
  body: unknown;
  headers?: Record<string, string>;
}

/** What the API door is given by the composition root. */
export interface ApiDeps {
  core: Core;
  /** Tells approvers about a new deletion request (the bot's notifier, behind a core port). */
  notifier: ApprovalNotifier;
}

/**
 * One endpoint as data: the registry turns it into a Koa route (auth, scope, validation,
 * idempotency) and into its OpenAPI operation, from the same schemas, so they cannot drift.
 */
export interface ApiRoute {
  operationId: string;
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** OpenAPI form, relative to /api/v1: /customers/{code}. */
  path: string;
  scope: Scope;
  /** Chinese, for the reference page. */
  summary: string;
  description?: string;
  tag: string;
  params?: JsonSchema;
  query?: JsonSchema;
  body?: JsonSchema;
  /** Status → description and body schema; every status the handler can answer. */
  responses: Record<number, { description: string; schema?: JsonSchema }>;
  /** A hot read path: the statuses it declares get no access-log line (auth refusals, 429s and failures still log). */
  quiet?: boolean;
  handler(req: ApiRequest, deps: ApiDeps): Promise<ApiResult>;
}
