import { expect, it } from '@jest/globals';
import { QueryTypes, type Sequelize } from 'sequelize';
import { readPooled } from '../../core/data/sql.js';
import { createSequelize, parseDatabaseUrl } from '../../models/db.js';
import { isDatabaseUnavailable } from '../../models/tx.js';
import { eachDialect, type Harness } from '../helpers/db.js';

/*
 * readPooled sends the hottest reads as prepared statements on connections of their own
 * (models/prepared-pool.ts). Callers treat its rows as Sequelize's raw rows, so every type must
 * read the same, and the pool must behave like Sequelize's: survive a dropped connection, close
 * with sequelize.close().
 */

const TABLE = 'prepared_read_types';

async function typedRows(sequelize: Sequelize): Promise<void> {
  await sequelize.query(`DROP TABLE IF EXISTS ${TABLE}`);
  await sequelize.query(
    `CREATE TABLE ${TABLE} (id INTEGER PRIMARY KEY, day DATE, at DATETIME(3), big BIGINT, money DECIMAL(14,2), flag TINYINT(1), note TEXT)`,
  );
  await sequelize.query(
    `INSERT INTO ${TABLE} VALUES (1, '2026-12-06', '2026-12-06 01:02:03.456', 9007199254740993, 12.50, 1, '备注'), (2, NULL, NULL, NULL, NULL, NULL, NULL)`,
  );
}

const SELECT = `SELECT id, day, at, big, money, flag, note, at > ? AS later, CAST(NULL AS DATETIME) AS none FROM ${TABLE} ORDER BY id`;

/** The pool's connections end when sequelize.close() is called (tests and shutdown call only that). */
async function closesWithSequelize(h: Harness): Promise<void> {
  const { sequelize } = h.core.models;
  const other = createSequelize(parseDatabaseUrl(h.core.config.DATABASE_URL));
  const [mine] = await readPooled<{ id: number }>(other, 'SELECT CONNECTION_ID() AS id', []);
  const open = async () =>
    (
      await sequelize.query('SELECT ID FROM information_schema.PROCESSLIST WHERE ID = ?', {
        replacements: [mine!.id],
        type: QueryTypes.SELECT,
      })
    ).length;
  expect(await open()).toBe(1);
  await other.close();
  let left = 1;
  for (let i = 0; i < 50 && left; i++) {
    left = await open();
    if (left) await new Promise((r) => setTimeout(r, 20));
  }
  expect(left).toBe(0);
  // Nothing opens again after close, as with Sequelize's own pool.
  await expect(readPooled(other, 'SELECT 1 AS one', [])).rejects.toThrow('the database connection was closed');
}

eachDialect('reads on the prepared-statement pool', (h) => {
  it('reads every type as Sequelize reads it, with a Date bound in UTC', async () => {
    const { sequelize } = h.core.models;
    await typedRows(sequelize);
    const when = new Date('2026-12-06T01:00:00Z');
    const ours = await readPooled<Record<string, unknown>>(sequelize, SELECT, [when]);
    const theirs = await sequelize.query(SELECT, { replacements: [when], type: QueryTypes.SELECT, raw: true });
    expect(ours).toEqual(theirs);
    if (h.dialect === 'mariadb') {
      expect(ours[0]).toMatchObject({
        day: '2026-12-06',
        at: new Date('2026-12-06T01:02:03.456Z'),
        big: '9007199254740993',
        money: '12.50',
        flag: 1,
        note: '备注',
        later: 1,
      });
    }
  });

  if (h.dialect === 'mariadb') {
    it('answers again after its connection was killed, and a dead server is an outage', async () => {
      const { sequelize } = h.core.models;
      const [first] = await readPooled<{ id: number }>(sequelize, 'SELECT CONNECTION_ID() AS id', []);
      await sequelize.query(`KILL ${first!.id}`);
      // The pool notices the dropped connection and opens another: at most one read fails (one that
      // went out before the close arrived), as with Sequelize's own pool.
      let again: { id: number }[] | undefined;
      let failed = 0;
      for (let i = 0; i < 20 && !again; i++) {
        again = await readPooled<{ id: number }>(sequelize, 'SELECT CONNECTION_ID() AS id', []).catch(() => {
          failed++;
          return undefined;
        });
      }
      expect(failed).toBeLessThanOrEqual(1);
      expect(again?.[0]?.id).toBeGreaterThan(0);
      expect(again?.[0]?.id).not.toBe(first!.id);

      // Nothing listens on port 1.
      const target = { ...parseDatabaseUrl(h.core.config.DATABASE_URL), host: '127.0.0.1', port: 1 };
      const dead = createSequelize(target);
      try {
        const err = await readPooled(dead, 'SELECT 1', []).catch((e: unknown) => e);
        expect(isDatabaseUnavailable(err)).toBe(true);
      } finally {
        await dead.close();
      }
    });

    it('closes its connections with sequelize.close()', () => closesWithSequelize(h));
  }
});
