import { describe, expect, it } from '@jest/globals';
import { QueryTypes } from 'sequelize';
import { openCore, prepareDatabase } from '../../core/boot.js';
import type { Core } from '../../core/context.js';
import { createCustomer } from '../../core/customers/create.js';
import { createLogger } from '../../core/logger.js';
import { decrypt } from '../../core/privacy.js';
import { testConfig, testDialects } from '../helpers/db.js';
import { seedDemoForTest } from '../helpers/demo-seed.js';
import { fromMigratedTemplate } from '../helpers/schema-template.js';

/** Every row of the tables a seed writes, with what differs by design between two seeds left out. */
async function contents(core: Core): Promise<Record<string, unknown[]>> {
  const out: Record<string, unknown[]> = {};
  for (const table of ['customers', 'sales_orders', 'receivables', 'reservations', 'audit_events', 'operators']) {
    const rows = await core.models.sequelize.query<Record<string, unknown>>(`SELECT * FROM ${table} ORDER BY id`, {
      type: QueryTypes.SELECT,
    });
    out[table] = rows;
  }
  return out;
}

/** A migrated SQLite core on a fresh copy of the schema template, configured with `env` over testConfig's. */
async function sqliteCore(env: Record<string, string>, now?: () => Date): Promise<Core> {
  const config = testConfig(await fromMigratedTemplate(await testDialects()[0]!.url()), env);
  const core = openCore(config, createLogger('silent'), now);
  await prepareDatabase(core);
  return core;
}

/**
 * test/helpers/demo-seed.ts (SQLite only): a second database with the same settings gets a copy of
 * the first one's seed, which its core reads (same keys) and writes on from (the id counters came too).
 */
describe('the demo seed reused by tests [sqlite]', () => {
  it('copies the seed into a database in the same state, readable and writable by its own core', async () => {
    const first = await sqliteCore({});
    const env = Object.fromEntries(
      Object.entries(first.config.env).filter(([k, v]) => v !== undefined && !/^(DATABASE_URL|DATA_DIR)$/.test(k)),
    ) as Record<string, string>;
    const copy = await sqliteCore(env, () => first.now());
    try {
      await seedDemoForTest(first);
      await seedDemoForTest(copy);
      expect(await contents(copy)).toEqual(await contents(first));
      const active = (await copy.models.Customer.findOne({ where: { status: 'active' }, order: [['id', 'ASC']] }))!;
      expect(decrypt(copy.keys, active.phoneEnc)).toMatch(/^1\d{10}$/);
      const admin = (await copy.models.Operator.findOne({ where: { email: 'demo-admin@demo.local' } }))!;
      const made = await createCustomer(copy, { operator: admin, door: 'cli' }, { name: '复制后新建的客户有限公司' });
      const newest = (await first.models.Customer.max('id')) as number;
      expect(made.customer.id).toBe(newest + 1);
    } finally {
      await copy.models.sequelize.close();
      await first.models.sequelize.close();
    }
  });
});
