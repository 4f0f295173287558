import { QueryTypes, type Sequelize } from 'sequelize';

/*
 * Read-your-writes on a Galera cluster. A node applies other nodes' commits a few milliseconds
 * late (wsrep_sync_wait=0), so a chat answer (确认, a choice) that lands on another instance right
 * after its question could miss the pending question. The reads that continue a conversation
 * (ConversationStore.speaker and get) are prefixed with `SET STATEMENT wsrep_sync_wait=1 FOR`,
 * which makes that one statement wait until the node has applied everything committed before it.
 * Every other read keeps the fast path. Off Galera (SQLite, a single server) there is no prefix.
 */

/** Per pool: the prefix once known, or the query still finding it out. */
const prefixes = new WeakMap<Sequelize, string | Promise<string>>();

/**
 * '' or the MariaDB statement prefix that makes one read causal on a Galera node (cached per pool):
 * the text itself once known, so the hot chat path need not wait on a promise for it.
 */
export function causalReadPrefix(sequelize: Sequelize): string | Promise<string> {
  if (sequelize.getDialect() === 'sqlite') return '';
  let p = prefixes.get(sequelize);
  if (p === undefined) {
    p = sequelize
      .query<{ on: number | string | null }>('SELECT @@wsrep_on AS `on`', {
        type: QueryTypes.SELECT,
        logging: false,
      })
      .then(([row]) => {
        const prefix = Number(row?.on) === 1 ? 'SET STATEMENT wsrep_sync_wait=1 FOR ' : '';
        prefixes.set(sequelize, prefix);
        return prefix;
      })
      // No wsrep variables (MySQL, TiDB): nothing to wait for. Asked again next time.
      .catch(() => {
        prefixes.delete(sequelize);
        return '';
      });
    prefixes.set(sequelize, p);
  }
  return p;
}
