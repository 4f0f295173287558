import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { QueryTypes, type Sequelize } from 'sequelize';
import type { Core } from '../../core/context.js';
import { seedDemo } from '../../core/demo/seed.js';

/*
 * The demo seed for tests that need it as their starting data, not as the thing under test. The
 * real seed (60 customers through createCustomer, two years of orders, approvals) costs about a
 * second of CPU, and some forty test blocks start from it. On SQLite the first seed in a process is
 * kept as a file (VACUUM INTO) and later blocks that would seed the very same thing copy its rows
 * instead: the same database before the seed, the same settings and keys, and a clock in the same
 * ten minutes. Anything else, and MariaDB always, runs the real seed. The seed itself is tested
 * by test/foundation (server.spec.ts) and the cluster tests, which call seedDemo directly.
 */

const kept = new Map<string, string>();
let dir: string | null = null;

/** Settings that differ between blocks without changing what the seed writes (ports, paths, the session secret). */
const VOLATILE = /^(DATABASE_URL|DATA_DIR|PORT|PUBLIC_URL|HOST|SESSION_SECRET)$|_(BASE|URL)$/;

async function tables(sequelize: Sequelize): Promise<string[]> {
  const rows = await sequelize.query<{ name: string }>(
    "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name",
    { type: QueryTypes.SELECT },
  );
  return rows.map((r) => r.name);
}

/** What decides the seed's result: every row already there (but the key canary's random IV), the settings, the clock's ten minutes. */
async function fingerprint(core: Core): Promise<string> {
  const { sequelize } = core.models;
  const hash = crypto.createHash('sha256');
  for (const table of [...(await tables(sequelize)), 'sqlite_sequence']) {
    const rows = await sequelize.query(`SELECT * FROM \`${table}\` ORDER BY 1`, { type: QueryTypes.SELECT });
    hash.update(
      `${table}\n${JSON.stringify(table === 'steward_meta' ? rows.filter((r) => (r as { key: string }).key !== 'key_check') : rows)}\n`,
    );
  }
  const env = Object.entries(core.config.env).filter(([k, v]) => v !== undefined && !VOLATILE.test(k));
  hash.update(JSON.stringify(env.sort(([a], [b]) => a.localeCompare(b))));
  hash.update(String(Math.floor(core.now().getTime() / 600_000)));
  return hash.digest('hex');
}

/** Replaces every table's rows with the kept file's, in one transaction on one handle. */
async function copyFrom(core: Core, file: string): Promise<void> {
  const { sequelize } = core.models;
  const names = await tables(sequelize);
  await sequelize.query('ATTACH DATABASE ? AS kept', { replacements: [file] });
  try {
    await sequelize.query('PRAGMA foreign_keys = OFF');
    await sequelize.query('BEGIN IMMEDIATE');
    try {
      for (const table of [...names, 'sqlite_sequence']) {
        await sequelize.query(`DELETE FROM main.\`${table}\``);
        await sequelize.query(`INSERT INTO main.\`${table}\` SELECT * FROM kept.\`${table}\``);
      }
      await sequelize.query('COMMIT');
    } catch (err) {
      // Ends the transaction, so DETACH below can run and the copy's own error is the one reported.
      await sequelize.query('ROLLBACK');
      throw err;
    }
  } finally {
    await sequelize.query('PRAGMA foreign_keys = ON');
    await sequelize.query('DETACH DATABASE kept');
  }
}

/** seedDemo, or on SQLite a copy of the same seed made earlier in this process (see above). */
export async function seedDemoForTest(core: Core): Promise<void> {
  const { sequelize } = core.models;
  if (sequelize.getDialect() !== 'sqlite') {
    await seedDemo(core);
    return;
  }
  const key = await fingerprint(core);
  const file = kept.get(key);
  if (file) return copyFrom(core, file);
  const { seeded } = await seedDemo(core);
  if (!seeded) return;
  dir ??= fs.mkdtempSync(path.join(os.tmpdir(), 'steward-demo-'));
  const out = path.join(dir, `demo-${kept.size + 1}.sqlite`);
  await sequelize.query('VACUUM INTO ?', { replacements: [out] });
  kept.set(key, out);
}
