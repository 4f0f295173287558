import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { DatabaseError, UniqueConstraintError } from 'sequelize';
import { requestDeletion } from '../../core/deletion/request.js';
import { isLostRace } from '../../models/tx.js';
import { runJob } from '../../jobs/runner.js';
import { eachDialect } from '../helpers/db.js';
import { deletableCustomers, startBotApp, type BotApp } from '../helpers/bot-app.js';
import { openReply, sealed, textXml } from '../helpers/wecom.js';
import { operatorByIdentity } from '../../core/operators.js';

/** What mysql2 raises on a multi-master certification conflict, as sequelize wraps it. */
function mysqlError(errno: 1213 | 1205): DatabaseError {
  const code = errno === 1213 ? 'ER_LOCK_DEADLOCK' : 'ER_LOCK_WAIT_TIMEOUT';
  const parent = Object.assign(
    new Error(
      errno === 1213
        ? 'Deadlock found when trying to get lock; try restarting transaction'
        : 'Lock wait timeout exceeded',
    ),
    { code, errno, sqlState: '40001', sql: 'INSERT …' },
  );
  return new DatabaseError(parent as unknown as Error & { sql: string; parameters: object });
}

describe('isLostRace', () => {
  it('is true for a unique violation and for mysql2 1213/1205, false for anything else', () => {
    expect(isLostRace(new UniqueConstraintError({}))).toBe(true);
    expect(isLostRace(mysqlError(1213))).toBe(true);
    expect(isLostRace(mysqlError(1205))).toBe(true);
    expect(isLostRace(Object.assign(new Error('raw'), { code: 'ER_LOCK_DEADLOCK', errno: 1213 }))).toBe(true);
    expect(isLostRace(new Error('connection refused'))).toBe(false);
    expect(isLostRace(Object.assign(new Error('dup'), { original: { code: 'ER_NO_SUCH_TABLE', errno: 1146 } }))).toBe(
      false,
    );
    expect(isLostRace(null)).toBe(false);
  });
});
/** A WeCom text message from `from`, sealed as WeCom does; the answer's status and text content. */
async function postText(app: BotApp, from: string, content: string, id: string) {
  const s = sealed(textXml(from, content, id));
  const res = await app.request(`/webhooks/wecom?${s.query}`, {
    method: 'POST',
    body: s.body,
    headers: { 'content-type': 'text/xml' },
  });
  return { status: res.status, content: res.status === 200 && res.text ? (openReply(res.text).Content ?? '') : '' };
}

eachDialect('claims: leases and released failures', (h) => {
  let app: BotApp;
  beforeAll(async () => {
    app = await startBotApp(h);
  });
  afterAll(async () => app?.close());
  let seq = 0;
  const msgId = () => `88812553542513${String(++seq).padStart(5, '0')}`;
  const post = (from: string, content: string, id: string) => postText(app, from, content, id);
  const quiet = async (offset: number) => (await deletableCustomers(h.core, 'demo-sales'))[offset]!;

  it('a database error mid-handler releases the claim: the retry is answered, once', async () => {
    const code = await quiet(0);
    const id = msgId();
    const store = app.bot.deps.conversations;
    const get = store.get.bind(store);
    let fail = true;
    store.get = (async (door: string, user: string) => {
      if (fail) {
        fail = false;
        throw new Error('simulated: connection lost mid-handler');
      }
      return get(door, user);
    }) as typeof store.get;
    try {
      const first = await post('demo-sales', `停用客户 ${code} 信用风险`, id);
      expect(first.status).toBeGreaterThanOrEqual(500);
      expect(await h.core.models.BotInbound.count({ where: { messageKey: `msg:${id}` } })).toBe(0);
      const retry = await post('demo-sales', `停用客户 ${code} 信用风险`, id);
      expect(retry).toEqual({ status: 200, content: expect.stringContaining(`将停用客户 ${code}`) });
      const again = await post('demo-sales', `停用客户 ${code} 信用风险`, id);
      expect(again.content).toBe(retry.content);
      expect(await h.core.models.BotInbound.count({ where: { messageKey: `msg:${id}`, status: 'done' } })).toBe(1);
    } finally {
      store.get = get;
    }
  });

  it('a claim left processing by a dead instance is taken over after the lease; a live one is not', async () => {
    const code = await quiet(1);
    const dead = msgId();
    const live = msgId();
    const { BotInbound } = h.core.models;
    await BotInbound.create({
      door: 'wecom-app',
      messageKey: `msg:${dead}`,
      receivedAt: new Date(Date.now() - 60_000),
      reply: null,
    });
    await BotInbound.create({ door: 'wecom-app', messageKey: `msg:${live}`, receivedAt: new Date(), reply: null });
    const taken = await post('demo-sales', `停用客户 ${code} 信用风险`, dead);
    expect(taken.content).toContain(`将停用客户 ${code}`);
    expect((await BotInbound.findOne({ where: { messageKey: `msg:${dead}` } }))!.status).toBe('done');
    const held = await post('demo-sales', `停用客户 ${code} 信用风险`, live);
    expect(held).toEqual({ status: 200, content: '' });
  });
});

eachDialect('claims: lost races on the inbound claim and the outbox row', (h) => {
  let app: BotApp;
  beforeAll(async () => {
    app = await startBotApp(h);
  });
  afterAll(async () => app?.close());
  let seq = 0;
  const msgId = () => `88812553542513${String(++seq).padStart(5, '0')}`;
  const post = (from: string, content: string, id: string) => postText(app, from, content, id);
  const quiet = async (offset: number) => (await deletableCustomers(h.core, 'demo-sales'))[offset]!;

  it('inbound dedupe: a 1213 on the claim insert is a lost race, answered from the winner', async () => {
    const code = await quiet(3);
    const id = msgId();
    const first = await post('demo-sales', `停用客户 ${code} 客户要求`, id);
    expect(first.content).toContain(`将停用客户 ${code}`);
    const spy = jest.spyOn(h.core.models.BotInbound, 'create').mockRejectedValue(mysqlError(1213));
    try {
      const retry = await post('demo-sales', `停用客户 ${code} 客户要求`, id);
      expect(retry).toEqual(first);
    } finally {
      spy.mockRestore();
    }
  });

  it('outbox: a 1213 on the row claim skips the row without failing the pass; it is sent later', async () => {
    const { BotOutbox } = h.core.models;
    const row = await BotOutbox.create({
      door: 'wecom',
      targetKind: 'user',
      targetId: 'demo-finance',
      payload: JSON.stringify({ kind: 'message', reply: { text: `race ${++seq}` } }),
      ref: null,
      notBefore: new Date(Date.now() + 3600_000),
      createdAt: new Date(),
      sentAt: null,
      responseCode: null,
      error: null,
    });
    const update = BotOutbox.update.bind(BotOutbox) as (values: object, opts: object) => Promise<[number]>;
    const spy = jest.spyOn(BotOutbox, 'update').mockImplementation((async (
      values: Record<string, unknown>,
      opts: object,
    ) => {
      if (values.status === 'sending') throw mysqlError(1213);
      return update(values, opts);
    }) as never);
    try {
      // Due only once the claim is rigged, so the background dispatcher cannot send it first.
      await update({ notBefore: new Date(Date.now() - 1000) }, { where: { id: row.id } });
      await expect(app.bot.dispatcher.drain()).resolves.toBe(0);
      await app.bot.dispatcher.idle();
      expect((await BotOutbox.findByPk(row.id))!.status).toBe('pending');
    } finally {
      spy.mockRestore();
    }
    app.bot.dispatcher.kick();
    await app.bot.dispatcher.idle();
    expect((await BotOutbox.findByPk(row.id))!.status).toBe('sent');
  });
});

eachDialect('claims: job slots, and notifications in the request transaction', (h) => {
  let app: BotApp;
  beforeAll(async () => {
    app = await startBotApp(h);
  });
  afterAll(async () => app?.close());
  const quiet = async (offset: number) => (await deletableCustomers(h.core, 'demo-sales'))[offset]!;

  it('job slots: a 1213 on the slot insert stands down like a unique violation', async () => {
    const spy = jest.spyOn(h.core.models.JobRun, 'create').mockRejectedValue(mysqlError(1213));
    let ran = false;
    try {
      const result = await runJob(
        h.core,
        {
          name: 'race-test',
          title: '竞争测试',
          schedule: '* * * * *',
          run: async () => {
            ran = true;
            return { summary: 'x' };
          },
        } as never,
        { notifier: app.bot.deps.notifier as never, trigger: 'schedule', slot: new Date('2026-12-01T01:00:00Z') },
      );
      expect(result.claimed).toBe(false);
      expect(ran).toBe(false);
    } finally {
      spy.mockRestore();
    }
  });

  it('approvers are notified in the request transaction: a failing notification rolls the request back', async () => {
    const code = await quiet(2);
    const sales = await operatorByIdentity(h.core, 'wecom', 'demo-sales');
    const actor = { operator: sales!, door: 'wecom' as const };
    const outbox = await h.core.models.BotOutbox.count();
    await expect(
      requestDeletion(h.core, actor, code, '重复录入', {
        notify: async (transaction, r, c) => {
          await app.bot.deps.notifier.approvalRequested(r, sales!, c.name, { transaction });
          throw new Error('simulated crash after the first cards were queued');
        },
      }),
    ).rejects.toThrow('simulated crash');
    expect(await h.core.models.ApprovalRequest.count({ where: { customerCode: code } })).toBe(0);
    expect(await h.core.models.BotOutbox.count()).toBe(outbox);

    const request = await requestDeletion(h.core, actor, code, '重复录入', {
      notify: (transaction, r, c) => app.bot.deps.notifier.approvalRequested(r, sales!, c.name, { transaction }),
    });
    const cards = await h.core.models.BotOutbox.findAll({ where: { ref: `approval:${request.id}` } });
    expect(
      cards
        .filter((c) => c.door === 'wecom' && c.targetKind === 'user')
        .map((c) => c.targetId)
        .sort(),
    ).toEqual(['demo-admin', 'demo-approver']);
  });
});
