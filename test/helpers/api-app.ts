import http from 'node:http';
import { expect, it } from '@jest/globals';
import { buildApp } from '../../cli/server/app.js';
import { createApiDoor, type ApiRegistry } from '../../api/index.js';
import type { Scope } from '../../api/types.js';
import { createApiToken } from '../../core/api/tokens.js';
import { openCore } from '../../core/boot.js';
import type { Core, OperatorLike } from '../../core/context.js';
import type { ApprovalNotifier } from '../../core/notify-port.js';
import type { ApprovalRequest } from '../../models/index.js';
import type { Harness } from './db.js';

export interface ApiCallOptions {
  token?: string;
  /** Sent as JSON (Content-Type: application/json unless `headers` says otherwise). */
  body?: unknown;
  /** Sent as is (for malformed JSON, other content types, oversized bodies). */
  rawBody?: string;
  headers?: Record<string, string>;
}

export interface ApiResponse {
  status: number;
  headers: Headers;
  /** Parsed JSON, or the text when it is not JSON. */
  body: any; // eslint-disable-line @typescript-eslint/no-explicit-any -- tests read whatever the API answered
}

export interface ApiHarness {
  url: string;
  /** A fresh token with these scopes (name unique unless given). */
  token(scopes: Scope[], name?: string): Promise<string>;
  /** One real HTTP request; `path` is from the server root, e.g. '/api/v1/customers'. */
  call(method: string, path: string, opts?: ApiCallOptions): Promise<ApiResponse>;
  close(): Promise<void>;
  /** The route registry: `violations` lists answers that did not match the OpenAPI document. */
  registry: ApiRegistry;
  /** The notifier the API was given (a RecordingNotifier unless one was passed). */
  notifier: ApprovalNotifier;
  core: Core;
}

/** An ApprovalNotifier that records what it was asked to send. */
export class RecordingNotifier implements ApprovalNotifier {
  readonly calls: { requestId: number; customerCode: string; requester: string; customerName: string }[] = [];

  async approvalRequested(request: ApprovalRequest, requester: OperatorLike, customerName: string): Promise<unknown> {
    this.calls.push({
      requestId: request.id,
      customerCode: request.customerCode,
      requester: requester.displayName,
      customerName,
    });
    return [];
  }
}

let tokens = 0;

/**
 * The real Koa app (cli/server/app.ts) with the API mounted, on 127.0.0.1 and a free port. Every
 * answer is checked against the OpenAPI document (see `registry.violations`). `core` runs a
 * second instance on another connection to the same database.
 */
export async function startApi(
  h: Harness,
  opts: { notifier?: ApprovalNotifier; core?: Core } = {},
): Promise<ApiHarness> {
  const core = opts.core ?? h.core;
  const notifier = opts.notifier ?? new RecordingNotifier();
  const door = createApiDoor({ core, notifier }, { checkResponses: true });
  const app = await buildApp(core, [
    (a) => {
      a.use(door.middleware);
      return door.stop;
    },
  ]);
  const server = http.createServer(app.callback());
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  const admin = await h.actor('api-test-admin', ['admin']);
  return {
    url,
    core,
    notifier,
    registry: door.registry,
    async token(scopes, name) {
      const r = await createApiToken(core, admin, { name: name ?? `test-${process.pid}-${++tokens}`, scopes });
      return r.token;
    },
    async call(method, path, o = {}) {
      const headers: Record<string, string> = {};
      if (o.token) headers.authorization = `Bearer ${o.token}`;
      let body: string | undefined;
      if (o.rawBody !== undefined) body = o.rawBody;
      else if (o.body !== undefined) {
        body = JSON.stringify(o.body);
        headers['content-type'] = 'application/json';
      }
      const res = await fetch(`${url}${path}`, { method, headers: { ...headers, ...o.headers }, body });
      const text = await res.text();
      let parsed: unknown = text;
      try {
        parsed = text ? JSON.parse(text) : null;
      } catch {
        // not JSON: the text is the body
      }
      return { status: res.status, headers: res.headers, body: parsed };
    },
    async close() {
      await door.stop();
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

/** A second core on the same database (another "instance"): own connection pool, same keys and clock. */
export function secondCore(h: Harness): Core {
  return openCore(h.core.config, h.core.logger, h.core.now);
}

/** The closing test of an API describe: every answer its APIs gave so far matched the OpenAPI document. */
export function itAnsweredAsDocumented(...apis: (() => ApiHarness)[]): void {
  it('answered every request as the OpenAPI document says', () => {
    expect(apis.flatMap((api) => api().registry.violations)).toEqual([]);
  });
}
