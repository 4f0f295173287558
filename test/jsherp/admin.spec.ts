import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type mysql from 'mysql2/promise';
import type { Core } from '../../core/context.js';
import { eachDialect } from '../helpers/db.js';
import { clientAs, startAdmin, type AdminClient } from '../admin/helpers.js';
import { dropJshDatabase } from './jsh-schema.js';
import { connect, loadFixtures } from './fixtures.js';
import { newJshDatabase, ourCustomers, recordingNotifier, runSync, withJshConfig } from './helpers.js';

const base = process.env.TEST_DATABASE_URL;
type ListAnswer = { records: { params: Record<string, unknown> }[] };

if (!base) {
  describe('jshERP in the back office', () => {
    it.skip('needs TEST_DATABASE_URL (a MariaDB server for the jshERP database)', () => undefined);
  });
} else {
  eachDialect("jshERP in the back office: the connector's state, last sync and what waits for a person", (h) => {
    let url: string;
    let jsh: mysql.Connection;
    let core: Core;
    let server: Awaited<ReturnType<typeof startAdmin>>;
    let admin: AdminClient;

    beforeAll(async () => {
      url = await newJshDatabase(base);
      jsh = await connect(url);
      await loadFixtures(jsh);
      core = withJshConfig(h.core, url);
      await ourCustomers(h, await h.actor('jsh-admin-page', ['admin']));
      await runSync(core, recordingNotifier([]));
      server = await startAdmin(core);
      admin = (await clientAs(core, server.url, 'jsh-boss', ['admin'])).client;
    });
    afterAll(async () => {
      await server?.close();
      await jsh?.end();
      if (url) await dropJshDatabase(url);
    });

    it('shows the last sync with its result and summary, the links, and the customers waiting for a decision', async () => {
      const state = (await admin.list('jsherp_state')).json<ListAnswer>();
      expect(state.records).toHaveLength(1);
      expect(state.records[0]!.params).toMatchObject({ lastStatus: 'ok' });
      expect(String(state.records[0]!.params.lastSummary)).toMatch(/^全量核对: 客户 \d+ 个 \(新关联 \d+/);
      const links = (await admin.list('jsherp_links')).json<ListAnswer>();
      expect(links.records.map((r) => r.params.customerCode)).toEqual(
        expect.arrayContaining([expect.stringMatching(/^C\d+/)]),
      );
      const waiting = (await admin.list('jsherp_candidates')).json<ListAnswer>();
      expect(waiting.records.map((r) => r.params.kind)).toEqual(expect.arrayContaining(['ambiguous']));
    });
  });
}
