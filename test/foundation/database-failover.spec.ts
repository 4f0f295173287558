import { afterAll, describe, expect, it } from '@jest/globals';
import { openCore, prepareDatabase } from '../../core/boot.js';
import type { Core } from '../../core/context.js';
import { createLogger } from '../../core/logger.js';
import { DatabaseUrlError, parseDatabaseUrl } from '../../models/db.js';
import { freshMysqlDatabase, testConfig } from '../helpers/db.js';
import { freePort } from '../helpers/ports.js';

describe('a DATABASE_URL that lists several hosts', () => {
  it('keeps every host, in order, with the first as the one to try', () => {
    expect(parseDatabaseUrl('mysql://app:p%40ss@node1:3306,node2,10.0.0.3:3307/steward')).toEqual({
      dialect: 'mysql',
      host: 'node1',
      port: 3306,
      user: 'app',
      password: 'p@ss',
      database: 'steward',
      socketPath: undefined,
      hosts: [
        { host: 'node1', port: 3306 },
        { host: 'node2', port: 3306 },
        { host: '10.0.0.3', port: 3307 },
      ],
    });
  });

  it('names a malformed host list in Chinese, without the password', () => {
    expect(() => parseDatabaseUrl('mysql://app:secret@node1:3306,node 2/steward')).toThrow(DatabaseUrlError);
    expect(() => parseDatabaseUrl('mysql://app:secret@node1:3306,node 2/steward')).toThrow(
      'DATABASE_URL 的主机列表格式不对: mysql://app:***@node1:3306,node 2/steward; 应为 mysql://user:pass@node1:3306,node2:3306/db',
    );
  });
});

// Needs the machine's MariaDB (CI=true sets TEST_DATABASE_URL); the Galera suite shows the same under kill -9.
const base = process.env.TEST_DATABASE_URL;
if (base)
  describe('failing over to the next host [mariadb]', () => {
    let core: Core | undefined;
    afterAll(async () => {
      await core?.models.sequelize.close();
    });

    it('connects through the second host when nothing listens on the first, and serves queries', async () => {
      // A port that was just free: connection refused, as from a node that died.
      const dead = await freePort();
      const live = new URL(await freshMysqlDatabase(base!, 'failover'));
      const url = `mysql://${live.username || 'root'}${live.password ? `:${live.password}` : ''}@127.0.0.1:${dead},${live.hostname}:${live.port || 3306}${live.pathname}`;
      const config = testConfig(url);
      core = openCore(config, createLogger('silent'));
      await prepareDatabase(core);
      const [rows] = await core.models.sequelize.query('SELECT @@port AS port');
      expect(rows).toEqual([{ port: String(live.port || 3306) }]);
      expect(await core.models.Customer.count()).toBe(0);
      await core.models.sequelize.query(`DROP DATABASE IF EXISTS \`${live.pathname.slice(1)}\``);
    });
  });
