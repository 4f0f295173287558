import { Ajv, type JSONSchemaType, type ValidateFunction } from 'ajv';
import type { Core } from '../../../core/context.js';
import type { FileAttachment, IncomingMessage } from '../contract.js';
import { dingtalkClient } from './client.js';
import { isDingtalkUrl, settingsOf } from './config.js';
import { sessionHandle } from './handles.js';

/**
 * A robot message, as far as the bot reads it: the body of an HTTP callback, or the data of a
 * Stream frame on topic /v1.0/im/bot/messages/get (the same JSON).
 */
export interface RobotCallback {
  msgtype?: string;
  text?: { content: string };
  /** msgtype "file" (1:1 chats only): a download code and the name as sent. */
  content?: { downloadCode?: string; fileName?: string };
  robotCode?: string;
  msgId: string;
  /** "1" = 1:1, "2" = group. */
  conversationType?: string;
  conversationId?: string;
  senderStaffId: string;
  senderNick?: string;
  sessionWebhook?: string;
  sessionWebhookExpiredTime?: number;
}

const str = (max: number) => ({ type: 'string', maxLength: max, nullable: true }) as const;

const schema: JSONSchemaType<RobotCallback> = {
  type: 'object',
  required: ['msgId', 'senderStaffId'],
  properties: {
    msgtype: str(32),
    text: {
      type: 'object',
      nullable: true,
      required: ['content'],
      properties: { content: { type: 'string', maxLength: 20_000 } },
    },
    content: { type: 'object', nullable: true, properties: { downloadCode: str(2048), fileName: str(255) } },
    robotCode: str(128),
    msgId: { type: 'string', minLength: 1, maxLength: 191 },
    conversationType: { type: 'string', nullable: true, enum: ['1', '2'] },
    conversationId: str(191),
    senderStaffId: { type: 'string', minLength: 1, maxLength: 64 },
    senderNick: str(128),
    sessionWebhook: str(2048),
    sessionWebhookExpiredTime: { type: 'number', nullable: true },
  },
};

// Compiled on first use, not at import: ajv's code generation is a noticeable part of every start.
const compileRobot = () => new Ajv({ allErrors: false, strict: false }).compile(schema);
let validateRobot: ReturnType<typeof compileRobot> | undefined;

/** The result of checking a frame's or a callback's JSON: the body, or the reason for the log. */
export type Parsed<T> = { ok: true; body: T } | { ok: false; reason: string };

/** Parses `raw` (a body or a frame's data) as JSON of the shape `validate` checks. */
export function parseChecked<T>(raw: unknown, validate: ValidateFunction<T>): Parsed<T> {
  if (typeof raw !== 'string') return { ok: false, reason: 'body is not a string' };
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    return { ok: false, reason: 'malformed JSON' };
  }
  if (!validate(value))
    return {
      ok: false,
      reason: `shape: ${validate.errors?.[0]?.instancePath || '/'} ${validate.errors?.[0]?.message ?? ''}`,
    };
  return { ok: true, body: value };
}

/** The robot message when its shape is what the bot expects; otherwise the reason, for the log. */
export function parseRobotCallback(raw: unknown): Parsed<RobotCallback> {
  const parsed = parseChecked(raw, (validateRobot ??= compileRobot()));
  if (parsed.ok && parsed.body.msgtype === 'text' && !parsed.body.text)
    return { ok: false, reason: 'shape: a text message without text' };
  return parsed;
}

/** How the message arrived: its `via`, correlation id, and whether the door can rule out a replay. */
export interface RobotSource {
  via: 'dingtalk' | 'dingtalk-stream';
  correlationId: string;
  replayable: boolean;
}

/** The message text: trimmed, and in a group without the leading @-mentions (the robot's name). */
function messageText(body: RobotCallback, group: boolean): string {
  if (body.msgtype !== 'text') return '';
  const text = (body.text?.content ?? '').trim();
  return group ? text.replace(/^(@\S+\s*)+/, '').trim() : text;
}

/**
 * A checked robot message as an IncomingMessage, with a session reply handle when its
 * sessionWebhook is on DingTalk's own host. `sessionIgnored` is true when the message named a
 * sessionWebhook elsewhere (the caller logs it; nothing is ever posted there).
 */
export function robotMessage(
  core: Core,
  body: RobotCallback,
  from: RobotSource,
): { msg: IncomingMessage; sessionIgnored: boolean } {
  const group = body.conversationType === '2';
  // The HTTP sign covers only the timestamp, so the body's URL is not authentic: DingTalk's own
  // hosts only; otherwise the answer goes through the OpenAPI.
  const session = isDingtalkUrl(core, body.sessionWebhook) ? body.sessionWebhook : undefined;
  const chat =
    group && body.conversationId
      ? { kind: 'group' as const, id: body.conversationId }
      : { kind: 'user' as const, id: body.senderStaffId };
  const msg: IncomingMessage = {
    channel: 'dingtalk',
    via: from.via,
    messageKey: body.msgId,
    correlationId: from.correlationId,
    userId: body.senderStaffId,
    chatType: group ? 'group' : 'direct',
    text: messageText(body, group),
    reply: sessionHandle(session, body.sessionWebhookExpiredTime, chat),
  };
  if (body.senderNick) msg.userName = body.senderNick;
  if (body.conversationId) msg.conversationId = body.conversationId;
  if (from.replayable) msg.replayable = true;
  const file = fileOf(core, body);
  if (file) msg.file = file;
  return { msg, sessionIgnored: Boolean(body.sessionWebhook && !session) };
}

/** A file sent in a 1:1 chat: its download code buys a short-lived URL when the pipeline asks. */
function fileOf(core: Core, body: RobotCallback): FileAttachment | undefined {
  const code = body.msgtype === 'file' ? body.content?.downloadCode : undefined;
  if (!code) return undefined;
  const name = body.content?.fileName?.trim() || null;
  const robotCode = settingsOf(core).robotCode ?? body.robotCode ?? '';
  return {
    name,
    download: async (maxBytes) => {
      const got = await dingtalkClient(core).downloadMessageFile(code, robotCode, maxBytes);
      return { data: got.data, name: name ?? got.name };
    },
  };
}
