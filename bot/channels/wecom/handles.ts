import type { ReplyHandle } from '../contract.js';

/** An AI bot message's `response_url`, already checked to be on WeCom's own host. */
export function responseUrlHandle(url: string): ReplyHandle {
  // It works once (and for an hour): the notifier sends all late replies as one message.
  return { channel: 'wecom', kind: 'response_url', url, once: true };
}

/** The URL of a response_url handle, or null for anything else. */
export function responseUrlOf(handle: ReplyHandle): string | null {
  return handle.channel === 'wecom' && handle.kind === 'response_url' && typeof handle.url === 'string'
    ? handle.url
    : null;
}
