import { Ajv, type JSONSchemaType } from 'ajv';

/** The DingTalk robot HTTP callback, as far as the bot reads it. */
export interface RobotCallback {
  msgtype?: string;
  text?: { content: string };
  /** msgtype "file" (1:1 chats only): a download code and the name as sent. */
  content?: { downloadCode?: string; fileName?: string };
  robotCode?: string;
  msgId: string;
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
    text: { type: 'object', nullable: true, required: ['content'], properties: { content: { type: 'string' } } },
    content: { type: 'object', nullable: true, properties: { downloadCode: str(2048), fileName: str(255) } },
    robotCode: str(128),
    msgId: { type: 'string', minLength: 1, maxLength: 191 },
    conversationType: str(4),
    conversationId: str(191),
    senderStaffId: { type: 'string', minLength: 1, maxLength: 64 },
    senderNick: str(128),
    sessionWebhook: str(2048),
    sessionWebhookExpiredTime: { type: 'number', nullable: true },
  },
};

const validate = new Ajv({ allErrors: false, strict: false }).compile(schema);

/** The callback when its shape is what the bot expects; otherwise null and the reason for the log. */
export function parseRobotCallback(raw: string): { ok: true; body: RobotCallback } | { ok: false; reason: string } {
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    return { ok: false, reason: 'malformed JSON' };
  }
  if (!validate(value)) return { ok: false, reason: `callback shape: ${validate.errors?.[0]?.instancePath || '/'} ${validate.errors?.[0]?.message ?? ''}` };
  if (value.msgtype === 'text' && !value.text) return { ok: false, reason: 'callback shape: a text message without text' };
  return { ok: true, body: value };
}
