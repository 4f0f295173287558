import { afterAll, afterEach, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { ConnectionRefusedError, DatabaseError, type Sequelize, type Transaction } from 'sequelize';
import { openCore } from '../../core/boot.js';
import type { Core } from '../../core/context.js';
import { seedDemo } from '../../core/demo/seed.js';
import { createLogger } from '../../core/logger.js';
import {
  conflictBackoffMs,
  isDatabaseUnavailable,
  isLockConflict,
  TX_ATTEMPTS,
  txTiming,
  unlessLockConflict,
  withTransaction,
} from '../../models/tx.js';
import { startBotApp, type BotApp } from '../helpers/bot-app.js';
import { eachDialect } from '../helpers/db.js';
import { openReply, sealed, textXml } from '../helpers/wecom.js';
import { newCustomer } from '../core/fixtures.js';

/** What mysql2 raises on a deadlock or a Galera certification failure, as sequelize wraps it. */
function mysqlError(errno: 1213 | 1205): DatabaseError {
  const code = errno === 1213 ? 'ER_LOCK_DEADLOCK' : 'ER_LOCK_WAIT_TIMEOUT';
  const parent = Object.assign(
    new Error(
      errno === 1213
        ? 'Deadlock found when trying to get lock; try restarting transaction'
        : 'Lock wait timeout exceeded; try restarting transaction',
    ),
    { code, errno, sqlState: errno === 1213 ? '40001' : 'HY000', sql: 'COMMIT' },
  );
  return new DatabaseError(parent as unknown as Error & { sql: string; parameters: object });
}

/** A stand-in for a MySQL sequelize whose transaction() runs fn and lets it throw. */
function fakeMysql(): Sequelize {
  return {
    getDialect: () => 'mysql',
    transaction: (fn: (t: Transaction) => Promise<unknown>) => fn({} as Transaction),
  } as unknown as Sequelize;
}

describe('withTransaction on MySQL/Galera: conflicts rerun the whole transaction with jittered backoff', () => {
  const waits: number[] = [];
  const sleep = txTiming.sleep;
  beforeAll(() => {
    txTiming.sleep = async (ms) => {
      waits.push(ms);
    };
  });
  afterAll(() => {
    txTiming.sleep = sleep;
  });
  afterEach(() => {
    waits.length = 0;
  });

  it('a 1213 at commit and a 1205 are retried; the third run commits and its result comes back', async () => {
    let runs = 0;
    const out = await withTransaction(fakeMysql(), async () => {
      runs++;
      if (runs === 1) throw mysqlError(1213);
      if (runs === 2) throw mysqlError(1205);
      return 'committed';
    });
    expect(out).toBe('committed');
    expect(runs).toBe(3);
    expect(waits).toHaveLength(2);
  });

  it(`gives up after ${TX_ATTEMPTS} runs and throws the conflict itself`, async () => {
    let runs = 0;
    await expect(
      withTransaction(fakeMysql(), async () => {
        runs++;
        throw mysqlError(1213);
      }),
    ).rejects.toMatchObject({ parent: { errno: 1213 } });
    expect(runs).toBe(TX_ATTEMPTS);
    expect(waits).toHaveLength(TX_ATTEMPTS - 1);
  });

  it('any other error is thrown at once, never retried', async () => {
    let runs = 0;
    await expect(
      withTransaction(fakeMysql(), async () => {
        runs++;
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(runs).toBe(1);
  });
});

describe('withTransaction on MySQL/Galera: backoff, and which errors are conflicts', () => {
  it('backoff is full jitter, growing and capped', () => {
    expect(conflictBackoffMs(1, () => 1)).toBe(20);
    expect(conflictBackoffMs(3, () => 1)).toBe(80);
    expect(conflictBackoffMs(12, () => 1)).toBe(400);
    expect(conflictBackoffMs(5, () => 0)).toBe(0);
  });

  it('classifies driver errors: conflicts vs outages vs anything else', () => {
    expect(isLockConflict(mysqlError(1213))).toBe(true);
    expect(isLockConflict(Object.assign(new Error('raw'), { errno: 1205 }))).toBe(true);
    expect(isLockConflict(new Error('x'))).toBe(false);
    expect(
      isDatabaseUnavailable(
        new ConnectionRefusedError(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' })),
      ),
    ).toBe(true);
    expect(
      isDatabaseUnavailable(
        Object.assign(new Error('WSREP has not yet prepared node for application use'), {
          original: { code: 'ER_UNKNOWN_COM_ERROR', errno: 1047 },
        }),
      ),
    ).toBe(true);
    expect(isDatabaseUnavailable(mysqlError(1213))).toBe(false);
  });

  it('a background pass that loses a lock conflict gets its fallback; any other error still throws', async () => {
    await expect(unlessLockConflict(Promise.resolve([1]), [0])).resolves.toEqual([1]);
    await expect(unlessLockConflict(Promise.reject(mysqlError(1213)), [0])).resolves.toEqual([0]);
    await expect(unlessLockConflict(Promise.reject(new Error('disk full')), [0])).rejects.toThrow('disk full');
  });
});

eachDialect('conflicts as users see them', (h) => {
  it('a create whose transaction hits a 1213 (Galera certification) is rerun: one customer, one audit event', async () => {
    if (h.dialect === 'sqlite') {
      // One writer: SQLite never reports a conflict, so there is nothing to retry.
      expect(h.core.models.sequelize.getDialect()).toBe('sqlite');
      return;
    }
    const actor = await h.actor('冲突测试员', ['sales']);
    const { AuditHead, AuditEvent, Customer } = h.core.models;
    const real = AuditHead.findByPk.bind(AuditHead);
    let thrown = 0;
    const spy = jest.spyOn(AuditHead, 'findByPk').mockImplementation((async (
      ...args: Parameters<typeof AuditHead.findByPk>
    ) => {
      if (thrown++ < 2) throw mysqlError(1213);
      return real(...args);
    }) as typeof AuditHead.findByPk);
    const events = await AuditEvent.count();
    try {
      const customer = await newCustomer(h, actor);
      expect(thrown).toBe(3);
      expect(await Customer.count({ where: { code: customer.code } })).toBe(1);
      expect(await AuditEvent.count()).toBe(events + 1);
    } finally {
      spy.mockRestore();
    }
  });
});

eachDialect('outages as users see them', (h) => {
  let app: BotApp;
  let seq = 0;
  const msgId = () => `77712553542513${String(++seq).padStart(5, '0')}`;
  beforeAll(async () => {
    app = await startBotApp(h);
  });
  afterAll(async () => app?.close());

  async function post(from: string, content: string) {
    const s = sealed(textXml(from, content, msgId()));
    const res = await app.request(`/webhooks/wecom?${s.query}`, {
      method: 'POST',
      body: s.body,
      headers: { 'content-type': 'text/xml' },
    });
    return { status: res.status, content: res.status === 200 && res.text ? (openReply(res.text).Content ?? '') : '' };
  }

  it('chat while the database is unreachable: 「数据库暂时不可用, 请稍后重试」, HTTP 200, never a raw 500', async () => {
    const refused = new ConnectionRefusedError(
      Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:3306'), { code: 'ECONNREFUSED' }),
    );
    const spy = jest.spyOn(h.core.models.BotInbound, 'create').mockRejectedValue(refused);
    try {
      const res = await post('demo-sales', '新建客户 宕机测试贸易有限公司');
      expect(res).toEqual({ status: 200, content: '数据库暂时不可用, 请稍后重试。' });
    } finally {
      spy.mockRestore();
    }
  });

  it('/healthz says 503 when the database cannot be reached', async () => {
    const spy = jest
      .spyOn(h.core.models.sequelize, 'query')
      .mockRejectedValue(
        new ConnectionRefusedError(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' })),
      );
    try {
      const res = await app.request('/healthz');
      expect(res.status).toBe(503);
      expect(JSON.parse(res.text)).toMatchObject({ status: 'unavailable' });
    } finally {
      spy.mockRestore();
    }
  });
});

// Galera sets auto_increment_increment to the node count: on MariaDB the seed runs with ids 2, 5, 8 …
eachDialect('the demo seed uses the ids the database returns', (h) => {
  let core: Core;
  beforeAll(() => {
    core = h.core;
    if (h.dialect !== 'mariadb') return;
    core = openCore(h.core.config, createLogger('silent'));
    core.models.sequelize.addHook('afterConnect', async (conn: unknown) => {
      await new Promise<void>((resolve, reject) =>
        (conn as { query(sql: string, cb: (e: Error | null) => void): void }).query(
          'SET SESSION auto_increment_increment = 3, auto_increment_offset = 2',
          (e) => (e ? reject(e) : resolve()),
        ),
      );
    });
  });
  afterAll(async () => {
    if (core !== h.core) await core.models.sequelize.close();
  });

  it('every reservation points at an existing product, by the ids the database returned', async () => {
    await seedDemo(core);
    const products = await core.models.Product.findAll({ order: [['id', 'ASC']] });
    expect(products.length).toBeGreaterThan(1);
    if (h.dialect === 'mariadb') expect(products.map((p) => p.id % 3)).toEqual(products.map(() => 2));
    const reservations = await core.models.Reservation.findAll();
    expect(reservations.length).toBeGreaterThan(0);
    const ids = new Set(products.map((p) => p.id));
    expect(reservations.filter((r) => !ids.has(r.productId))).toEqual([]);
  });
});
