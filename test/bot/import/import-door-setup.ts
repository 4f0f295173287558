// What the chat import door tests share: the bot app, and a driver for its three messenger doors.
import type { Harness } from '../../helpers/db.js';
import { startBotApp, type BotApp } from '../../helpers/bot-app.js';
import { chatDriver } from '../../helpers/chat-doors.js';

export type ChatDriver = ReturnType<typeof chatDriver>;

/** The bot app on the demo data, and a driver that talks to it as WeCom and DingTalk would. */
export async function startImportDoor(h: Harness): Promise<{ app: BotApp; chat: ChatDriver }> {
  const app = await startBotApp(h);
  return { app, chat: chatDriver(app, h.core) };
}
