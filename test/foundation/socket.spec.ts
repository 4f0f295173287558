import fs from 'node:fs';
import { describe, expect, it } from '@jest/globals';
import { openCore, prepareDatabase, databaseHealth } from '../../core/boot.js';
import { createLogger } from '../../core/logger.js';
import { freshMysqlDatabase, testConfig } from '../helpers/db.js';

const SOCKET = process.env.TEST_MYSQL_SOCKET ?? '/run/mysqld/mysqld.sock';
const base = process.env.TEST_DATABASE_URL;

// Defined only where MariaDB is under test and listens on a unix socket (CI's machine does).
if (base && fs.existsSync(SOCKET)) {
  describe('MySQL through a unix socket [mariadb]', () => {
    it('connects with ?socketPath=, migrates and reports healthy', async () => {
      const tcp = new URL(await freshMysqlDatabase(base, '_sock'));
      const url = `mysql://${tcp.username || 'root'}@localhost${tcp.pathname}?socketPath=${encodeURIComponent(SOCKET)}`;
      const core = openCore(testConfig(url), createLogger('silent'));
      try {
        await prepareDatabase(core);
        expect(await databaseHealth(core)).toEqual({ database: 'mysql', migrations: 'up-to-date' });
      } finally {
        await core.models.sequelize.query(`DROP DATABASE IF EXISTS \`${core.models.sequelize.getDatabaseName()}\``);
        await core.models.sequelize.close();
      }
    });
  });
} else {
  // Reported as skipped (never as passed) where there is no MariaDB under test or no socket.
  describe('MySQL through a unix socket [mariadb]', () => {
    it.skip('connects with ?socketPath= (needs TEST_DATABASE_URL and a MariaDB unix socket)', () => undefined);
  });
}
