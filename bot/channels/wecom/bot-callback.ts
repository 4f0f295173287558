import { Ajv, type JSONSchemaType } from 'ajv';

/**
 * A decrypted AI bot callback (HTTP) or the body of an `aibot_msg_callback` / `aibot_event_callback`
 * frame (long connection): the same JSON (doc path/100719, events path/101027), as far as the bot
 * reads it. Over the long connection file URLs come with their own per-message `aeskey` (SDK types
 * `FileContent.aeskey`: 长连接模式下返回), and there is no response_url.
 */
export interface BotCallback {
  msgid: string;
  aibotid?: string;
  chatid?: string;
  chattype?: string;
  from: { userid: string };
  response_url?: string;
  msgtype: string;
  text?: { content: string };
  voice?: { content: string };
  mixed?: { msg_item: { msgtype: string; text?: { content: string } }[] };
  /** A short-lived URL to the file, AES-encrypted (HTTP: the bot's EncodingAESKey; socket: `aeskey`). */
  file?: { url: string; aeskey?: string };
  event?: {
    eventtype: string;
    /** The SDK's types put a click's key here... */
    event_key?: string;
    task_id?: string;
    /** ...the documented callback (path/101027) nests it under the event type's name. */
    template_card_event?: { event_key?: string; task_id?: string; card_type?: string };
  };
}

const str = (max: number) => ({ type: 'string', maxLength: max }) as const;
const opt = (max: number) => ({ ...str(max), nullable: true }) as const;
const content = {
  type: 'object',
  nullable: true,
  required: ['content'],
  properties: { content: str(20_480) },
} as const;

// Only the fields the bot reads are checked, but those strictly: a wrong type (an object where a
// string belongs, a null body) would otherwise throw deep in the pipeline as a 500.
const schema: JSONSchemaType<BotCallback> = {
  type: 'object',
  required: ['msgid', 'from', 'msgtype'],
  properties: {
    msgid: { type: 'string', minLength: 1, maxLength: 191 },
    aibotid: opt(128),
    chatid: opt(191),
    chattype: opt(16),
    from: {
      type: 'object',
      required: ['userid'],
      properties: { userid: { type: 'string', minLength: 1, maxLength: 64 } },
    },
    response_url: opt(2048),
    msgtype: str(32),
    text: content,
    voice: content,
    mixed: {
      type: 'object',
      nullable: true,
      required: ['msg_item'],
      properties: {
        msg_item: {
          type: 'array',
          maxItems: 50,
          items: { type: 'object', required: ['msgtype'], properties: { msgtype: str(32), text: content } },
        },
      },
    },
    file: { type: 'object', nullable: true, required: ['url'], properties: { url: str(2048), aeskey: opt(128) } },
    event: {
      type: 'object',
      nullable: true,
      required: ['eventtype'],
      properties: {
        eventtype: str(64),
        event_key: opt(1024),
        task_id: opt(128),
        template_card_event: {
          type: 'object',
          nullable: true,
          properties: { event_key: opt(1024), task_id: opt(128), card_type: opt(64) },
        },
      },
    },
  },
};

// Compiled on first use, not at import: ajv's code generation is a noticeable part of every start.
const compile = () => new Ajv({ allErrors: false, strict: false }).compile(schema);
let compiled: ReturnType<typeof compile> | undefined;

/** The body when its shape is what the bot reads; otherwise the reason, for the log. */
export function checkBotCallback(value: unknown): { ok: true; body: BotCallback } | { ok: false; reason: string } {
  const validate = (compiled ??= compile());
  if (!validate(value))
    return {
      ok: false,
      reason: `callback shape: ${validate.errors?.[0]?.instancePath || '/'} ${validate.errors?.[0]?.message ?? ''}`,
    };
  if (value.msgtype === 'text' && !value.text)
    return { ok: false, reason: 'callback shape: a text message without text' };
  if (value.msgtype === 'event' && !value.event) return { ok: false, reason: 'callback shape: an event without event' };
  return { ok: true, body: value };
}

/** The decrypted HTTP callback, parsed and checked. */
export function parseBotCallback(json: string): { ok: true; body: BotCallback } | { ok: false; reason: string } {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    return { ok: false, reason: 'decrypted body is not JSON' };
  }
  return checkBotCallback(value);
}
