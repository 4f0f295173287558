import type { Core } from '../context.js';

/*
 * With CODE_BLOCK_SIZE > 1 an instance takes automatic code numbers a block at a time, in a short
 * transaction of its own before the create's (claimCustomerCode): creates then update the counter
 * row once a block instead of every time, so instances on different cluster nodes stop contending
 * for that one row (Galera certifies concurrent updates of a row as conflicts, and all but one
 * writer start over). The price, stated in .env.example: across instances codes are not in
 * creation order, and numbers an instance still held when it stopped, or gave to a create that
 * then failed, become gaps.
 */

interface Held {
  /** Inclusive ranges [next, last] still to hand out, oldest first. */
  ranges: [number, number][];
  refill?: Promise<void>;
}

const held = new WeakMap<object, Map<string, Held>>();

function heldOf(core: Core, scope: string): Held {
  let scopes = held.get(core.models.sequelize);
  if (!scopes) held.set(core.models.sequelize, (scopes = new Map()));
  let h = scopes.get(scope);
  if (!h) scopes.set(scope, (h = { ranges: [] }));
  return h;
}

/** The next number this instance holds for `scope`, or null when it holds none. */
function takeHeld(h: Held): number | null {
  while (h.ranges.length && h.ranges[0]![0] > h.ranges[0]![1]) h.ranges.shift();
  const range = h.ranges[0];
  return range ? range[0]++ : null;
}

/**
 * Claims one number of `scope` for one create, from this instance's block; `reserve(n)` takes n
 * numbers from the counter in its own transaction and gives the first. Creates that arrive while a
 * refill is under way wait for it instead of taking a block each. Null when blocks are off.
 */
export async function claimCodeNumber(
  core: Core,
  scope: string,
  reserve: (n: number) => Promise<number>,
): Promise<number | null> {
  const size = core.config.CODE_BLOCK_SIZE;
  if (size <= 1) return null;
  const h = heldOf(core, scope);
  for (;;) {
    const n = takeHeld(h);
    if (n !== null) return n;
    h.refill ??= reserve(size)
      .then((first) => {
        h.ranges.push([first, first + size - 1]);
      })
      .finally(() => {
        h.refill = undefined;
      });
    await h.refill;
  }
}

/** Gives a claimed number back when its create failed, so the next create uses it instead of leaving a gap. */
export function giveBackCodeNumber(core: Core, scope: string, n: number): void {
  heldOf(core, scope).ranges.unshift([n, n]);
}

/** Another number of this instance's block, when the claimed one turned out taken (a hand-typed code); else null. */
export function takeFromCodeBlock(core: Core, scope: string): number | null {
  return core.config.CODE_BLOCK_SIZE > 1 ? takeHeld(heldOf(core, scope)) : null;
}
