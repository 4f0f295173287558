import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { QueryTypes } from 'sequelize';
import { createSequelize } from '../../models/db.js';

/**
 * Two processes writing one SQLite file (two instances, or a job beside a request). A transaction
 * sequelize opens by itself (findOrCreate does) reads first and writes later: begun DEFERRED, its
 * write is refused at once (SQLITE_BUSY, without the busy wait) when the other process wrote in
 * between. Seen under load as 「database is locked」 while the demo data was seeded beside a scheduler.
 */
describe('SQLite: a transaction sequelize opens by itself', () => {
  it('waits for another writer instead of failing with SQLITE_BUSY', async () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'steward-writers-')), 'w.sqlite');
    const one = createSequelize({ dialect: 'sqlite', storage: file });
    const two = createSequelize({ dialect: 'sqlite', storage: file });
    try {
      await one.query('CREATE TABLE t (name TEXT UNIQUE)');
      let other: Promise<unknown> = Promise.resolve();
      await one.transaction(async (t) => {
        await one.query('SELECT COUNT(*) AS n FROM t', { transaction: t, type: QueryTypes.SELECT });
        other = two.query("INSERT INTO t VALUES ('two')");
        // The other process gets its chance: it commits at once unless this transaction holds the lock.
        await Promise.race([other, new Promise((resolve) => setTimeout(resolve, 300))]);
        await one.query("INSERT INTO t VALUES ('one')", { transaction: t });
      });
      await other;
      expect(await one.query('SELECT name FROM t ORDER BY name', { type: QueryTypes.SELECT })).toEqual([
        { name: 'one' },
        { name: 'two' },
      ]);
    } finally {
      await one.close();
      await two.close();
    }
  });
});
