import crypto from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { Op } from 'sequelize';
import type { BotDeps } from './commands/context.js';
import { FileFetchError } from './files/fetch.js';
import { handleMessage } from './pipeline.js';
import type { FileAttachment, IncomingMessage, Reply } from './types.js';
import { operatorByIdentity } from '../core/operators.js';

export interface ConsoleOptions {
  /** The chat account to speak as. */
  as: string;
  /** The channel whose account `as` is (wecom, dingtalk...). */
  door: string;
  group: boolean;
}

/** The console door: the same pipeline as the messengers, driven from a terminal. */
export async function consoleSay(
  deps: BotDeps,
  opts: ConsoleOptions,
  input: { text?: string; click?: string },
): Promise<Reply[]> {
  const file = input.click ? undefined : localFile(input.text ?? '');
  const messageKey = `console:${crypto.randomUUID()}`;
  const msg: IncomingMessage = {
    channel: opts.door,
    via: 'console',
    messageKey,
    correlationId: messageKey,
    userId: opts.as,
    chatType: opts.group ? 'group' : 'direct',
    conversationId: opts.group ? 'console-group' : undefined,
    text: file ? '' : (input.text ?? ''),
    ...(input.click ? { buttonId: input.click } : {}),
    ...(file ? { file } : {}),
  };
  return (await handleMessage(deps, msg)).replies;
}

/** `导入客户 <path>` at the console stands for sending that local file to the bot, as in a messenger. */
function localFile(text: string): FileAttachment | undefined {
  const arg = /^\s*(?:导入客户|import)\s+(.+?)\s*$/i.exec(text)?.[1];
  if (!arg) return undefined;
  const file = path.resolve(arg.replace(/^(["'])(.*)\1$/, '$2'));
  const name = path.basename(file);
  return {
    name,
    patient: true,
    async download(maxBytes) {
      const stat = await fs.stat(file).catch(() => null);
      if (!stat?.isFile()) throw new FileFetchError('not-found', `no such file: ${file}`);
      if (stat.size > maxBytes) throw new FileFetchError('too-large', `${stat.size} bytes`);
      return { data: await fs.readFile(file), name };
    },
  };
}

/** Notifications queued for this user's console (approval cards, receipts), marked as read. */
export async function consoleInbox(deps: BotDeps, opts: ConsoleOptions): Promise<Reply[]> {
  const op = await operatorByIdentity(deps.core, opts.door, opts.as);
  if (!op) return [];
  const { BotOutbox } = deps.core.models;
  const rows = await BotOutbox.findAll({
    where: { door: 'console', targetId: `op:${op.id}`, status: 'pending' },
    order: [['id', 'ASC']],
    limit: 50,
  });
  if (!rows.length) return [];
  await BotOutbox.update(
    { status: 'sent', sentAt: deps.core.now() },
    { where: { id: { [Op.in]: rows.map((r) => r.id) } } },
  );
  return rows.map((r) => (JSON.parse(r.payload) as { reply: Reply }).reply);
}

/** Replies as the user would read them; buttons as numbered choices, numbered across replies. */
export function renderReplies(replies: Reply[], start = 1): { text: string; buttons: string[] } {
  const buttons: string[] = [];
  const parts = replies.map((r) => {
    const lines = [r.title ? `【${r.title}】` : '', r.text].filter(Boolean);
    if (r.links?.length) lines.push(...r.links.map((l) => `  ↗ ${l.text}: ${l.url}`));
    if (r.buttons?.length) {
      lines.push(
        r.buttons
          .map((b) => {
            buttons.push(b.id);
            return `[${start + buttons.length - 1}] ${b.text}`;
          })
          .join('   '),
      );
    }
    return lines.join('\n');
  });
  return { text: parts.join('\n\n'), buttons };
}
