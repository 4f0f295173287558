import { buttonId } from '../buttons.js';
import type { Button, Reply } from '../types.js';
import type { CommandContext } from './context.js';
import type { CommandSpec, ConfirmSpec } from './registry.js';

/** A command that proposes and acts after 确认. */
export type Confirmable<P> = CommandSpec<P> & { confirm: ConfirmSpec<P> };

/** What a typed confirmation stores in bot_conversations: whose confirm it is, the key to type, the payload. */
export interface StoredConfirm<P = unknown> {
  commandId: string;
  key: string;
  payload: P;
}

/** True for a pending confirmation stored by proposeConfirm (older rows carry `action` instead). */
export function isStoredConfirm(p: unknown): p is StoredConfirm {
  return (
    typeof p === 'object' &&
    p !== null &&
    typeof (p as StoredConfirm).commandId === 'string' &&
    typeof (p as StoredConfirm).key === 'string'
  );
}

/** Stores the pending confirmation for `spec` (replacing any other); returns the key the user types back. */
export async function storeConfirm<P>(ctx: CommandContext, spec: Confirmable<P>, payload: P): Promise<string> {
  const key = spec.confirm.key(payload);
  await ctx.deps.conversations.set(
    ctx.msg.channel,
    ctx.msg.userId,
    'confirm',
    { commandId: spec.id, key, payload },
    ctx.core.config.CONFIRM_TTL_SECONDS,
  );
  return key;
}

/** The 确认/取消 buttons; the confirm label comes from the spec. */
export function confirmButtons<P>(spec: Confirmable<P>, key: string): Button[] {
  return [
    { id: buttonId('confirm', key), text: `确认${spec.confirm.label}` },
    { id: buttonId('cancel'), text: '取消' },
  ];
}

/** Stores a pending confirmation and states exactly what will happen (`what`), with the time limit and buttons. */
export async function proposeConfirm<P>(
  ctx: CommandContext,
  spec: Confirmable<P>,
  payload: P,
  what: string,
): Promise<Reply> {
  const key = await storeConfirm(ctx, spec, payload);
  const minutes = Math.round(ctx.core.config.CONFIRM_TTL_SECONDS / 60);
  return {
    text: `${what}\n请在 ${minutes} 分钟内回复「确认 ${key}」继续; 回复其他内容或超时即取消。`,
    buttons: confirmButtons(spec, key),
  };
}
