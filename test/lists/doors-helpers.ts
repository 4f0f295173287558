import { afterAll, beforeAll } from '@jest/globals';
import { clientAs, startAdmin, type AdminClient } from '../admin/helpers.js';
import type { Harness } from '../helpers/db.js';

export type Rec = { id: number; params: Record<string, unknown>; errors: Record<string, { message: string }> };
export type ActionAnswer = { notice?: { message: string; type: string }; record: Rec };
export type ListAnswer = { meta: { total: number }; records: Rec[] };

/**
 * The back office with list-boss (admin) and list-wang (sales) signed in, for the tests of the
 * enclosing block; the clients are filled in before its first test.
 */
export function setupBackOffice(h: Harness): Record<string, AdminClient> {
  const as: Record<string, AdminClient> = {};
  let server: Awaited<ReturnType<typeof startAdmin>> | undefined;
  beforeAll(async () => {
    server = await startAdmin(h.core);
    for (const [login, roles] of [
      ['list-boss', ['admin']],
      ['list-wang', ['sales']],
    ] as const)
      as[login] = (await clientAs(h.core, server.url, login, [...roles])).client;
  });
  afterAll(async () => server?.close());
  return as;
}
