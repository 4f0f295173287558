import crypto from 'node:crypto';
import os from 'node:os';
import type { Core } from '../../core/context.js';
import { acquireLease, releaseLease, renewLease } from '../../core/leases.js';
import type { Logger } from '../../core/logger.js';
import type { SocketReceiver } from './contract.js';

/** How often a holder renews (and a waiting instance retries), and how long a lease lives unrenewed. */
export interface HoldOptions {
  /** This instance's name in the lease table; default host:pid:random. */
  holder?: string;
  /** Default 20 s: a dead holder's socket is taken over within ttl + renew = 25 s. */
  ttlMs?: number;
  /** Default 5 s. */
  renewMs?: number;
}

/** What the runtime gets back: a way to let go, and who holds what for /healthz. */
export interface SocketHolding {
  /** Stops every receiver this instance holds and releases its leases, so another takes over at once. */
  stop(): Promise<void>;
  status(): { name: string; held: boolean; since?: Date }[];
}

type State = 'waiting' | 'starting' | 'held' | 'stopping';

const MAX_BACKOFF_MS = 5 * 60_000;

/** One receiver and its lease, driven by one self-rescheduling tick (never two at once). */
class Slot {
  state: State = 'waiting';
  since?: Date;
  private closed = false;
  private timer?: NodeJS.Timeout;
  private ticking: Promise<void> = Promise.resolve();
  private starting: Promise<void> = Promise.resolve();
  private startInFlight = false;
  /** DB steps run one after another, so a release can never land before an earlier renew. */
  private db: Promise<unknown> = Promise.resolve();
  private retryAt = 0;
  private failures = 0;
  private dbErrors = 0;
  /** Local time by which the lease may have expired: the last successful renew's send time + ttl. */
  private deadline = 0;

  constructor(
    private readonly core: Core,
    readonly receiver: SocketReceiver,
    private readonly holder: string,
    private readonly ttlMs: number,
    private readonly renewMs: number,
    private readonly log: Logger,
  ) {}

  begin(): void {
    this.schedule(0);
  }

  private schedule(ms: number): void {
    if (this.closed) return;
    this.timer = setTimeout(() => {
      this.ticking = this.tick().finally(() => this.schedule(this.renewMs));
    }, ms);
    this.timer.unref?.();
  }

  private serial<T>(step: () => Promise<T>): Promise<T> {
    const run = this.db.then(step, step);
    this.db = run.catch(() => undefined);
    return run;
  }

  private async tick(): Promise<void> {
    try {
      if (this.state === 'waiting') {
        if (!this.startInFlight && Date.now() >= this.retryAt) await this.tryAcquire();
      } else if (this.state === 'starting' || this.state === 'held') await this.renew();
      if (this.dbErrors) this.log.info({ failures: this.dbErrors }, 'socket lease: database reachable again');
      this.dbErrors = 0;
    } catch (err) {
      // The database is down or slow: log once, keep trying; the process stays up.
      if (this.dbErrors++ === 0) this.log.warn({ err: errText(err) }, 'socket lease: database error, retrying');
    }
  }

  private async tryAcquire(): Promise<void> {
    const sentAt = Date.now();
    const r = await this.serial(() => acquireLease(this.core, this.receiver.name, this.holder, this.ttlMs));
    if (!r.acquired || this.closed) {
      if (r.acquired) await this.serial(() => releaseLease(this.core, this.receiver.name, this.holder));
      return;
    }
    this.deadline = sentAt + this.ttlMs;
    if (r.takeover)
      this.log.info({ from: r.previousHolder }, 'socket lease taken over from an instance that stopped renewing');
    else this.log.info('socket lease acquired');
    this.state = 'starting';
    this.starting = this.startReceiver();
  }

  private async startReceiver(): Promise<void> {
    this.startInFlight = true;
    try {
      await this.receiver.start();
    } catch (err) {
      this.startInFlight = false;
      if (this.state !== 'starting') return; // fenced meanwhile; nothing connected
      this.state = 'stopping';
      const wait = Math.min(this.renewMs * 2 ** ++this.failures, MAX_BACKOFF_MS);
      this.retryAt = Date.now() + wait;
      this.log.error(
        { err: errText(err), failures: this.failures, retryInMs: wait },
        'socket receiver failed to start; releasing the lease',
      );
      await this.stopReceiver(); // a half-open SDK client may keep reconnecting otherwise
      await this.serial(() => releaseLease(this.core, this.receiver.name, this.holder)).catch((e) =>
        this.log.warn({ err: errText(e) }, 'socket lease release failed; it expires by itself'),
      );
      if (this.state === 'stopping') this.state = 'waiting';
      return;
    }
    this.startInFlight = false;
    if (this.state !== 'starting') {
      // The lease was lost (or close() ran) while connecting: disconnect what just connected.
      await this.stopReceiver();
      return;
    }
    this.state = 'held';
    this.since = new Date();
    this.failures = 0;
    this.log.info('socket receiver started');
  }

  /** Renews before the lease can expire; a renew that fails, hangs past the deadline or finds the lease gone fences. */
  private async renew(): Promise<void> {
    const sentAt = Date.now();
    let outcome: 'renewed' | 'lost' | 'late';
    let failure: unknown;
    let timer: NodeJS.Timeout | undefined;
    // A renew still unanswered shortly before the lease may expire counts as lost.
    const late = new Promise<'late'>((resolve) => {
      timer = setTimeout(() => resolve('late'), Math.max(0, this.deadline - this.renewMs / 2 - sentAt));
    });
    try {
      const renewing = this.serial(() => renewLease(this.core, this.receiver.name, this.holder, this.ttlMs));
      outcome = await Promise.race([renewing.then((ok) => (ok ? ('renewed' as const) : ('lost' as const))), late]);
    } catch (err) {
      outcome = 'late';
      failure = err;
    } finally {
      clearTimeout(timer);
    }
    if (outcome === 'renewed') {
      this.deadline = sentAt + this.ttlMs;
      return;
    }
    if (this.state !== 'starting' && this.state !== 'held') return;
    const reason =
      outcome === 'lost'
        ? 'taken by another instance or released'
        : failure
          ? `renew failed: ${errText(failure)}`
          : 'renew too slow, lease may expire';
    this.log.warn({ reason }, 'socket lease lost; stopping the receiver');
    await this.fence();
  }

  /** Stops the receiver now: no two instances may deliver the same socket's messages. */
  private async fence(): Promise<void> {
    this.state = 'stopping';
    // Not waiting for a start still in flight: stop now; startReceiver stops it again if it connects.
    await this.stopReceiver();
    this.since = undefined;
    if (this.state === 'stopping') this.state = 'waiting';
  }

  private async stopReceiver(): Promise<void> {
    try {
      await this.receiver.stop();
    } catch (err) {
      this.log.warn({ err: errText(err) }, 'socket receiver stop failed');
    }
  }

  /** Stops the receiver, stops renewing and gives the lease up. */
  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.timer);
    await this.ticking;
    const had = this.state !== 'waiting' || this.startInFlight;
    this.state = 'stopping';
    if (had) await this.stopReceiver();
    // A start still connecting is stopped by startReceiver when it resolves; wait for it a while.
    await within(this.starting, this.ttlMs);
    this.since = undefined;
    await this.serial(() => releaseLease(this.core, this.receiver.name, this.holder))
      .then((released) => released && this.log.info('socket lease released'))
      .catch((err) => this.log.warn({ err: errText(err) }, 'socket lease release failed; it expires by itself'));
    this.state = 'waiting';
  }
}

function within(p: Promise<unknown>, ms: number): Promise<unknown> {
  let t: NodeJS.Timeout | undefined;
  return Promise.race([
    p,
    new Promise((r) => {
      t = setTimeout(r, ms);
    }),
  ]).finally(() => clearTimeout(t));
}

function errText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** This instance's default holder name: host, pid and a random tag (pids repeat across containers). */
export function defaultHolder(): string {
  return `${os.hostname().slice(0, 120)}:${process.pid}:${crypto.randomBytes(4).toString('hex')}`;
}

/**
 * Holds each receiver's socket on exactly one instance: acquires its lease (retrying every
 * renewMs), starts the receiver, renews, and stops the receiver the moment the lease is lost.
 * A dead holder's lease expires after ttlMs and another instance takes the socket over.
 */
export function holdSockets(core: Core, receivers: SocketReceiver[], opts: HoldOptions = {}): SocketHolding {
  const holder = opts.holder ?? defaultHolder();
  const ttlMs = opts.ttlMs ?? 20_000;
  const renewMs = opts.renewMs ?? 5_000;
  if (!(Number.isInteger(ttlMs) && Number.isInteger(renewMs) && renewMs > 0 && ttlMs > renewMs * 2))
    throw new RangeError('socket lease ttlMs and renewMs must be whole milliseconds, ttlMs more than twice renewMs');
  const names = new Set<string>();
  for (const r of receivers) {
    if (names.has(r.name)) throw new RangeError(`two socket receivers share the lease name ${r.name}`);
    names.add(r.name);
  }
  const base = core.logger.child({ component: 'socket-holder', holder });
  const slots = receivers.map((r) => new Slot(core, r, holder, ttlMs, renewMs, base.child({ socket: r.name })));
  for (const s of slots) s.begin();
  let stopping: Promise<void> | undefined;
  return {
    stop: () => (stopping ??= Promise.all(slots.map((s) => s.close())).then(() => undefined)),
    status: () =>
      slots.map((s) => ({ name: s.receiver.name, held: s.state === 'held', ...(s.since ? { since: s.since } : {}) })),
  };
}
