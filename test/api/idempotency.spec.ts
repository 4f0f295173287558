import crypto from 'node:crypto';
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { ABANDONED_AFTER_MS, IDEMPOTENCY_TTL_MS, sweepIdempotency } from '../../core/api/idempotency.js';
import type { Core } from '../../core/context.js';
import { eachDialect, type Harness } from '../helpers/db.js';
import { itAnsweredAsDocumented, secondCore, startApi, type ApiHarness } from '../helpers/api-app.js';
import { newCustomer, uniqueName } from '../core/fixtures.js';

interface TwoInstances {
  a: ApiHarness;
  b: ApiHarness;
  other: Core;
  token: string;
}

/** The API twice over one database, and a token (idem-erp) that reads and writes customers. */
async function startTwoInstances(h: Harness): Promise<TwoInstances> {
  const a = await startApi(h);
  // A second instance: its own connection pool and process state (token cache, rate limits), one database.
  const other = secondCore(h);
  const b = await startApi(h, { core: other });
  return { a, b, other, token: await a.token(['customers:read', 'customers:write'], 'idem-erp') };
}

async function stopTwoInstances({ a, b, other }: Partial<TwoInstances>): Promise<void> {
  await a?.close();
  await b?.close();
  await other?.models.sequelize.close();
}

/** The row a first request with `key` leaves in the store while its handler runs, begun at `createdAt`. */
async function leaveProcessing(h: Harness, path: string, raw: string, key: string, createdAt: Date): Promise<void> {
  const tokenRow = await h.core.models.ApiToken.findOne({ where: { name: 'idem-erp' } });
  await h.core.models.ApiIdempotency.create({
    tokenId: tokenRow!.id,
    idemKey: key,
    method: 'POST',
    path,
    state: 'processing',
    status: null,
    response: null,
    requestHash: crypto.createHash('sha256').update(`POST ${path}?\n${raw}`).digest('hex'),
    createdAt,
    expiresAt: new Date(createdAt.getTime() + IDEMPOTENCY_TTL_MS),
  });
}

/** A POST of `raw` JSON under an Idempotency-Key. */
const postRaw = (api: ApiHarness, token: string, path: string, raw: string, key: string) =>
  api.call('POST', path, {
    token,
    rawBody: raw,
    headers: { 'content-type': 'application/json', 'Idempotency-Key': key },
  });

eachDialect('API idempotency: Idempotency-Key replays and refuses other bodies', (h) => {
  let a: ApiHarness, b: ApiHarness, other: Core, token: string;
  beforeAll(async () => {
    ({ a, b, other, token } = await startTwoInstances(h));
  });
  afterAll(async () => stopTwoInstances({ a, b, other }));

  const create = (api: ApiHarness, key: string, body: unknown) =>
    api.call('POST', '/api/v1/customers', { token, body, headers: { 'Idempotency-Key': key } });
  const countNamed = (name: string) => h.core.models.Customer.count({ where: { name } });

  it('answers a retry with the same key and body with the stored response, and has no second effect', async () => {
    const name = uniqueName('幂等');
    const first = await create(a, 'key-replay-1', { name });
    expect(first.status).toBe(201);
    const retry = await create(a, 'key-replay-1', { name });
    expect(retry.status).toBe(201);
    expect(retry.body).toEqual(first.body);
    expect(retry.headers.get('location')).toBe(first.headers.get('location'));
    expect(retry.headers.get('idempotent-replayed')).toBe('true');
    expect(await countNamed(name)).toBe(1);
    // A refusal is stored too: the retry gets the same 409, not a different answer.
    const dup = await create(a, 'key-replay-2', { name });
    expect(dup.status).toBe(409);
    expect(await create(a, 'key-replay-2', { name })).toMatchObject({ status: 409, body: dup.body });
  });

  it('refuses the same key with a different body (422) and writes nothing', async () => {
    const name = uniqueName('幂等改');
    expect((await create(a, 'key-other-body', { name })).status).toBe(201);
    const other = await create(a, 'key-other-body', { name: `${name}X` });
    expect(other.status).toBe(422);
    expect(other.body.error).toMatchObject({
      code: 'IDEMPOTENCY_KEY_REUSED',
      message: expect.stringContaining('已用于另一个请求'),
    });
    expect(await countNamed(`${name}X`)).toBe(0);
    const bad = await create(a, 'has spaces', { name: uniqueName() });
    expect(bad.status).toBe(422);
    expect(bad.body.error.details.errors[0].field).toBe('Idempotency-Key');
  });

  itAnsweredAsDocumented(
    () => a,
    () => b,
  );
});

eachDialect('API idempotency: holds across instances and for 24 hours', (h) => {
  let a: ApiHarness, b: ApiHarness, other: Core, token: string;
  beforeAll(async () => {
    ({ a, b, other, token } = await startTwoInstances(h));
  });
  afterAll(async () => stopTwoInstances({ a, b, other }));

  const create = (api: ApiHarness, key: string, body: unknown, as = token) =>
    api.call('POST', '/api/v1/customers', { token: as, body, headers: { 'Idempotency-Key': key } });
  const countNamed = (name: string) => h.core.models.Customer.count({ where: { name } });

  it('holds across two instances on one database: a retry that lands on the other instance gets the stored answer', async () => {
    const name = uniqueName('跨实例');
    const first = await create(a, 'key-cross-1', { name });
    const retry = await create(b, 'key-cross-1', { name });
    expect(first.status).toBe(201);
    expect(retry).toMatchObject({ status: 201, body: first.body });
    expect(await countNamed(name)).toBe(1);
    expect((await create(b, 'key-cross-1', { name: `${name}Y` })).status).toBe(422);

    // Sent to both at once: one creates; the other waits its turn and replays, or is told to retry (409).
    const raced = uniqueName('并发');
    const answers = await Promise.all([create(a, 'key-race', { name: raced }), create(b, 'key-race', { name: raced })]);
    expect(answers.map((r) => r.status).sort()).toEqual(expect.arrayContaining([201]));
    for (const r of answers) expect([201, 409]).toContain(r.status);
    const busy = answers.find((r) => r.status === 409);
    if (busy)
      expect(busy.body.error).toMatchObject({
        code: 'IDEMPOTENCY_IN_PROGRESS',
        message: expect.stringContaining('请稍后用同一个键重试'),
      });
    expect(await countNamed(raced)).toBe(1);
  });

  it('keeps keys 24 hours: after that the same key is a new request, and the sweep deletes expired keys', async () => {
    const name = uniqueName('过期键');
    // Its own token: the rate limiter's buckets (per token, per instance) see this test's moving
    // clock, and must not be left in the future for the block's other tests.
    const own = await a.token(['customers:read', 'customers:write']);
    const start = new Date();
    h.setNow(start);
    try {
      expect((await create(a, 'key-expiring', { name }, own)).status).toBe(201);
      h.setNow(new Date(start.getTime() + IDEMPOTENCY_TTL_MS - 60_000));
      expect((await create(a, 'key-expiring', { name }, own)).headers.get('idempotent-replayed')).toBe('true');
      h.setNow(new Date(start.getTime() + IDEMPOTENCY_TTL_MS + 60_000));
      const fresh = await create(b, 'key-expiring', { name }, own);
      expect(fresh.status).toBe(409);
      expect(fresh.body.error.code).toBe('CONFLICT');
      expect(fresh.headers.get('idempotent-replayed')).toBeNull();
      h.setNow(new Date(start.getTime() + 3 * IDEMPOTENCY_TTL_MS));
      expect(await sweepIdempotency(h.core)).toBeGreaterThan(0);
      expect(await h.core.models.ApiIdempotency.count({ where: { idemKey: 'key-expiring' } })).toBe(0);
    } finally {
      h.setNow(null);
    }
  });

  itAnsweredAsDocumented(
    () => a,
    () => b,
  );
});

eachDialect('API idempotency: a first try still running, or dead', (h) => {
  let a: ApiHarness, b: ApiHarness, other: Core, token: string;
  beforeAll(async () => {
    ({ a, b, other, token } = await startTwoInstances(h));
  });
  afterAll(async () => stopTwoInstances({ a, b, other }));

  it('tells a retry to come back later (409) while the first request with that key is still being processed', async () => {
    const c = await newCustomer(h, await h.actor('幂等管理员', ['admin']));
    const path = `/api/v1/customers/${c.code}/deactivate`;
    const raw = JSON.stringify({ reason: '客户要求' });
    // What the first request leaves while its handler runs (on any instance).
    await leaveProcessing(h, path, raw, 'key-busy', h.core.now());
    const r = await postRaw(b, token, path, raw, 'key-busy');
    expect(r.status).toBe(409);
    expect(r.body.error).toEqual({
      code: 'IDEMPOTENCY_IN_PROGRESS',
      message: '使用 Idempotency-Key「key-busy」的同一请求正在处理中, 请稍后用同一个键重试。',
      details: { key: 'key-busy' },
    });
    expect((await h.core.models.Customer.findByPk(c.id))!.status).toBe('active');
  });

  it('never runs a request again under a key whose first try died mid-way: its outcome is unknown, so the caller is told to check and use a new key', async () => {
    const c = await newCustomer(h, await h.actor('幂等管理员2', ['admin']));
    const path = `/api/v1/customers/${c.code}/deactivate`;
    const raw = JSON.stringify({ reason: '客户要求' });
    const died = new Date(h.core.now().getTime() - ABANDONED_AFTER_MS - 60_000);
    // What an instance killed between its commit and storing the answer leaves behind.
    await leaveProcessing(h, path, raw, 'key-died', died);
    const r = await postRaw(b, token, path, raw, 'key-died');
    expect(r.status).toBe(409);
    expect(r.body.error).toMatchObject({
      code: 'IDEMPOTENCY_OUTCOME_UNKNOWN',
      message: expect.stringContaining('不知道是否已生效。请先查询确认'),
    });
    expect((await h.core.models.Customer.findByPk(c.id))!.status).toBe('active');
    const fresh = await postRaw(b, token, path, raw, 'key-died-2');
    expect(fresh.status).toBe(200);
  });

  itAnsweredAsDocumented(
    () => a,
    () => b,
  );
});
