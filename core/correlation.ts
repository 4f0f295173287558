import { AsyncLocalStorage } from 'node:async_hooks';
import crypto from 'node:crypto';

/**
 * The correlation id of the unit of work running now: an HTTP request, a messenger frame, a chat
 * message, a job run, an outbox delivery. The logger stamps it on every line (core/logger.ts), so a
 * line written deep in core/ needs no logger passed down to be found with the rest of its request.
 */
const scope = new AsyncLocalStorage<{ id: string }>();

/** Runs `fn` with `id` as the correlation id of everything it logs, awaited or not. */
export function withCorrelation<T>(id: string, fn: () => T): T {
  return scope.run({ id }, fn);
}

/** The id of the unit of work running now, if any. */
export function correlationId(): string | undefined {
  return scope.getStore()?.id;
}

/**
 * Runs `fn` in the current unit's scope, or in a new one with `fallback` (or a fresh id) when none
 * is open: a chat message brought by an HTTP callback keeps the request's id, one from a socket
 * frame or the console gets its own.
 */
export function inCorrelation<T>(fallback: string | undefined, fn: (id: string) => T): T {
  const open = correlationId();
  if (open) return fn(open);
  const id = fallback ?? crypto.randomUUID();
  return withCorrelation(id, () => fn(id));
}
