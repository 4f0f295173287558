import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, expect, it } from '@jest/globals';
import type { SocketReceiver } from '../../bot/channels/contract.js';
import { holdSockets, type SocketHolding } from '../../bot/channels/socket-holder.js';
import { openCore } from '../../core/boot.js';
import type { Core } from '../../core/context.js';
import { leaseStatus } from '../../core/leases.js';
import { createLogger } from '../../core/logger.js';
import { eachDialect, type Harness } from '../helpers/db.js';

const TTL = 600;
const RENEW = 150;
/** Slack for database round trips on a busy shared machine. */
const SLACK = 250;

/** What every fake socket saw, in order, across instances: who was connected when. */
class Timeline {
  events: { socket: string; who: string; what: 'start' | 'fail' | 'stop'; at: number }[] = [];
  private open = new Map<string, Set<string>>();
  overlaps = 0;

  record(socket: string, who: string, what: 'start' | 'fail' | 'stop'): void {
    this.events.push({ socket, who, what, at: Date.now() });
    const set = this.open.get(socket) ?? new Set<string>();
    this.open.set(socket, set);
    if (what === 'start') {
      if (set.size > 0 && !set.has(who)) this.overlaps++;
      set.add(who);
    } else set.delete(who);
  }

  of(socket: string, who: string, what?: 'start' | 'fail' | 'stop') {
    return this.events.filter((e) => e.socket === socket && e.who === who && (!what || e.what === what));
  }
}

/** A long connection that connects at once, unless told to fail its next starts. */
function fakeSocket(timeline: Timeline, name: string, who: string, failStarts = 0): SocketReceiver {
  let fails = failStarts;
  return {
    name,
    async start() {
      if (fails-- > 0) {
        timeline.record(name, who, 'fail');
        throw new Error('connect ECONNREFUSED');
      }
      timeline.record(name, who, 'start');
    },
    async stop() {
      timeline.record(name, who, 'stop');
    },
  };
}

async function until(cond: () => boolean, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (cond()) return true;
    await new Promise((r) => setTimeout(r, 10));
  }
  return cond();
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Every socket seen by every test, across describes: an overlap anywhere fails the later checks too. */
const t = new Timeline();
let n = 0;
const fresh = () => `test-socket:${++n}:${Date.now()}`;

/**
 * A second instance on the same database, whose own clock runs an hour ahead: lease expiry
 * follows the database's clock, so the skew must not let it take a live lease.
 */
function skewedInstance(h: Harness): Core {
  return openCore(h.core.config, createLogger(h.core.config.LOG_LEVEL), () => new Date(Date.now() + 3600_000));
}

/** `hold` holds a socket as `who` on `core`; what a test held or spawned is stopped after it. */
function holdings() {
  const held: SocketHolding[] = [];
  const children: ChildProcess[] = [];
  afterEach(async () => {
    for (const c of children.splice(0)) c.kill('SIGKILL');
    await Promise.all(held.splice(0).map((s) => s.stop()));
  });
  const hold = (core: Core, who: string, r: SocketReceiver) => {
    const s = holdSockets(core, [r], { holder: who, ttlMs: TTL, renewMs: RENEW });
    held.push(s);
    return s;
  };
  return { hold, children };
}

eachDialect('socket leases: one instance holds each long connection', (h) => {
  let other: Core;
  beforeAll(() => {
    other = skewedInstance(h);
  });
  afterAll(async () => other?.models.sequelize.close());
  const { hold } = holdings();

  it('starts the socket on exactly one of two instances, and the other takes over at once after a graceful stop', async () => {
    const name = fresh();
    const a = hold(h.core, 'instance-a', fakeSocket(t, name, 'a'));
    const b = hold(other, 'instance-b', fakeSocket(t, name, 'b'));
    expect(await until(() => t.of(name, 'a', 'start').length + t.of(name, 'b', 'start').length > 0, 5000)).toBe(true);
    await sleep(4 * RENEW);
    const [first, second] = t.of(name, 'a', 'start').length ? [a, b] : [b, a];
    const [firstWho, secondWho] = first === a ? ['a', 'b'] : ['b', 'a'];
    expect(t.of(name, firstWho, 'start')).toHaveLength(1);
    expect(t.of(name, secondWho)).toHaveLength(0);
    expect(first.status()).toEqual([{ name, held: true, since: expect.any(Date) }]);
    expect(second.status()).toEqual([{ name, held: false }]);
    const live = (await leaseStatus(h.core)).find((l) => l.name === name);
    expect(live).toMatchObject({ holder: `instance-${firstWho}`, live: true });

    await first.stop();
    const stoppedAt = Date.now();
    expect(t.of(name, firstWho, 'stop')).toHaveLength(1);
    expect(await until(() => t.of(name, secondWho, 'start').length === 1, RENEW + SLACK)).toBe(true);
    expect(t.of(name, secondWho, 'start')[0]!.at - stoppedAt).toBeLessThanOrEqual(RENEW + SLACK);
    expect(second.status()[0]!.held).toBe(true);
    expect(t.overlaps).toBe(0);
  });

  it('stops the socket at once when a renew finds the lease taken by another instance', async () => {
    const name = fresh();
    const a = hold(h.core, 'instance-a', fakeSocket(t, name, 'a'));
    expect(await until(() => t.of(name, 'a', 'start').length === 1, 5000)).toBe(true);
    // Another instance wrote itself in (as after a long pause of ours): its lease runs for an hour.
    await h.core.models.SocketLease.update(
      { holder: 'instance-intruder', expiresAt: new Date(Date.now() + 3600_000) },
      { where: { name } },
    );
    const tookAt = Date.now();
    expect(await until(() => t.of(name, 'a', 'stop').length === 1, RENEW + SLACK)).toBe(true);
    expect(t.of(name, 'a', 'stop')[0]!.at - tookAt).toBeLessThanOrEqual(RENEW + SLACK);
    expect(a.status()[0]!.held).toBe(false);
    // It keeps trying, but does not connect again while the other's lease lives.
    await sleep(4 * RENEW);
    expect(t.of(name, 'a', 'start')).toHaveLength(1);
    expect((await leaseStatus(h.core)).find((l) => l.name === name)).toMatchObject({
      holder: 'instance-intruder',
      live: true,
    });
  });
});

eachDialect('socket leases: a killed holder, and the leases listed', (h) => {
  let other: Core;
  beforeAll(() => {
    other = skewedInstance(h);
  });
  afterAll(async () => other?.models.sequelize.close());
  const { hold, children } = holdings();

  it('takes over from an instance killed with SIGKILL within ttl + 2 renew intervals', async () => {
    const name = fresh();
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        path.resolve('test/helpers/lease-child.ts'),
        name,
        'instance-killed',
        String(TTL),
        String(RENEW),
      ],
      {
        env: { ...process.env, ...h.core.config.env } as NodeJS.ProcessEnv,
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    children.push(child);
    let childOut = '';
    child.stdout!.on('data', (d: Buffer) => (childOut += d.toString()));
    // Loading TypeScript through tsx takes seconds on a busy machine.
    expect(await until(() => childOut.includes('started'), 60_000)).toBe(true);

    hold(other, 'instance-b', fakeSocket(t, name, 'b'));
    await sleep(3 * RENEW);
    expect(t.of(name, 'b')).toHaveLength(0);

    child.kill('SIGKILL');
    const killedAt = Date.now();
    await new Promise((r) => child.once('exit', r));
    expect(await until(() => t.of(name, 'b', 'start').length === 1, TTL + 2 * RENEW + SLACK)).toBe(true);
    expect(t.of(name, 'b', 'start')[0]!.at - killedAt).toBeLessThanOrEqual(TTL + 2 * RENEW + SLACK);
    expect(childOut).not.toContain('stopped');
  }, 120_000);

  it('lists leases with their holder for /healthz, and shows a released one as free', async () => {
    const name = fresh();
    const a = hold(h.core, 'instance-a', fakeSocket(t, name, 'a'));
    expect(await until(() => t.of(name, 'a', 'start').length === 1, 5000)).toBe(true);
    expect((await leaseStatus(other)).find((l) => l.name === name)).toMatchObject({
      holder: 'instance-a',
      live: true,
      expiresAt: expect.any(Date),
    });
    await a.stop();
    expect((await leaseStatus(other)).find((l) => l.name === name)).toMatchObject({ holder: null, live: false });
  });
});

eachDialect('socket leases: failing connections and databases', (h) => {
  let other: Core;
  beforeAll(() => {
    other = skewedInstance(h);
  });
  afterAll(async () => other?.models.sequelize.close());
  const { hold } = holdings();

  it('stops the socket when its database connection fails, stays up, and another instance takes over', async () => {
    const name = fresh();
    const lonely = openCore(h.core.config, createLogger(h.core.config.LOG_LEVEL));
    hold(lonely, 'instance-a', fakeSocket(t, name, 'a'));
    expect(await until(() => t.of(name, 'a', 'start').length === 1, 5000)).toBe(true);
    hold(other, 'instance-b', fakeSocket(t, name, 'b'));
    await lonely.models.sequelize.close(); // every renew now throws
    const brokeAt = Date.now();
    expect(await until(() => t.of(name, 'a', 'stop').length === 1, RENEW + SLACK)).toBe(true);
    expect(await until(() => t.of(name, 'b', 'start').length === 1, TTL + 2 * RENEW + SLACK)).toBe(true);
    expect(t.of(name, 'b', 'start')[0]!.at - brokeAt).toBeLessThanOrEqual(TTL + 2 * RENEW + SLACK);
    expect(t.overlaps).toBe(0);
  });

  it('releases the lease when start() fails, so another instance connects, and retries with backoff', async () => {
    const name = fresh();
    hold(h.core, 'instance-a', fakeSocket(t, name, 'a', Infinity));
    expect(await until(() => t.of(name, 'a', 'fail').length === 1, 5000)).toBe(true);
    const failedAt = Date.now();
    hold(other, 'instance-b', fakeSocket(t, name, 'b'));
    expect(await until(() => t.of(name, 'b', 'start').length === 1, RENEW + SLACK)).toBe(true);
    expect(t.of(name, 'b', 'start')[0]!.at - failedAt).toBeLessThanOrEqual(RENEW + SLACK);
    expect(t.overlaps).toBe(0);

    // Alone, a socket that fails twice is retried (after 2, then 4 renew intervals) and then held.
    const solo = fresh();
    const s = hold(h.core, 'instance-a', fakeSocket(t, solo, 'a', 2));
    expect(await until(() => t.of(solo, 'a', 'start').length === 1, 20 * RENEW + SLACK)).toBe(true);
    const tries = t.of(solo, 'a').filter((e) => e.what !== 'stop');
    expect(tries.map((e) => e.what)).toEqual(['fail', 'fail', 'start']);
    expect(tries[1]!.at - tries[0]!.at).toBeGreaterThanOrEqual(2 * RENEW);
    expect(tries[2]!.at - tries[1]!.at).toBeGreaterThanOrEqual(4 * RENEW);
    expect(s.status()[0]!.held).toBe(true);
  });
});
