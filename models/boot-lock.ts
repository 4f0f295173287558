import os from 'node:os';
import type { Sequelize } from 'sequelize';
import { isLostRace } from './tx.js';

/** A holder that died mid-migration gives up the lock after this long. */
const STALE_SECONDS = 300;
const WAIT_MS = 180_000;

/**
 * Runs `fn` (migrations, first-boot rows) while holding a one-row lock in the database, so several
 * instances started at once on an empty MySQL/MariaDB/Galera database migrate one after another
 * instead of racing on DDL. GET_LOCK is not used: Galera does not replicate it. SQLite has one writer
 * and needs no lock.
 */
export async function withBootLock<T>(sequelize: Sequelize, fn: () => Promise<T>): Promise<T> {
  if (sequelize.getDialect() === 'sqlite') return fn();
  const holder = `${os.hostname()}:${process.pid}:${Math.random().toString(36).slice(2, 8)}`.slice(0, 100);
  await sequelize.query(
    'CREATE TABLE IF NOT EXISTS steward_boot_lock (id INT NOT NULL PRIMARY KEY, holder VARCHAR(100) NOT NULL, taken_at DATETIME(3) NOT NULL) ENGINE=InnoDB',
  );
  const deadline = Date.now() + WAIT_MS;
  for (;;) {
    try {
      await sequelize.query('INSERT INTO steward_boot_lock (id, holder, taken_at) VALUES (1, ?, UTC_TIMESTAMP(3))', {
        replacements: [holder],
      });
      break;
    } catch (err) {
      if (!isLostRace(err) || Date.now() > deadline) throw err;
      await sequelize
        .query(
          `DELETE FROM steward_boot_lock WHERE id = 1 AND taken_at < UTC_TIMESTAMP(3) - INTERVAL ${STALE_SECONDS} SECOND`,
        )
        .catch(() => undefined);
      await new Promise((r) => setTimeout(r, 200 + Math.random() * 300));
    }
  }
  try {
    return await fn();
  } finally {
    await sequelize
      .query('DELETE FROM steward_boot_lock WHERE id = 1 AND holder = ?', { replacements: [holder] })
      .catch(() => undefined);
  }
}
