import type { ReplyHandle } from '../contract.js';

/** Where a message came from, for when its sessionWebhook has expired. */
export type DingtalkChat = { kind: 'group' | 'user'; id: string };

/**
 * A message's sessionWebhook (valid ~90 minutes), already checked to be on DingTalk's own host,
 * with the chat to fall back to through the OpenAPI once it expires. The Stream receiver makes the
 * same handle.
 */
export function sessionHandle(url: string | undefined, expiresAt: number | undefined, chat: DingtalkChat): ReplyHandle {
  return { channel: 'dingtalk', kind: 'session', ...(url ? { url, expiresAt: expiresAt ?? 0 } : {}), chat };
}

/** The parts of a session handle, or null for anything else. */
export function sessionOf(handle: ReplyHandle): { url: string | null; expiresAt: number; chat: DingtalkChat } | null {
  if (handle.channel !== 'dingtalk' || handle.kind !== 'session') return null;
  const chat = handle.chat as DingtalkChat | undefined;
  if (!chat || (chat.kind !== 'group' && chat.kind !== 'user') || typeof chat.id !== 'string') return null;
  return { url: typeof handle.url === 'string' ? handle.url : null, expiresAt: Number(handle.expiresAt ?? 0), chat };
}
