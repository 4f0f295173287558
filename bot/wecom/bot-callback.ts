import { Ajv, type JSONSchemaType } from 'ajv';

/** The decrypted AI bot callback, as far as the bot reads it (doc path/100719, path/101027). */
export interface BotCallback {
  msgid: string;
  chatid?: string;
  chattype?: string;
  from: { userid: string };
  response_url?: string;
  msgtype: string;
  text?: { content: string };
  /** 1:1 only: a short-lived URL to the file, AES-encrypted with the bot's EncodingAESKey. */
  file?: { url: string };
  event?: { eventtype: string; template_card_event?: { event_key?: string; task_id?: string; card_type?: string } };
}

const str = (max: number) => ({ type: 'string', maxLength: max }) as const;

// Only the fields the bot reads are checked, but those strictly: a wrong type (an object where a
// string belongs, a null body) would otherwise throw deep in the pipeline as a 500.
const schema: JSONSchemaType<BotCallback> = {
  type: 'object',
  required: ['msgid', 'from', 'msgtype'],
  properties: {
    msgid: { type: 'string', minLength: 1, maxLength: 191 },
    chatid: { ...str(191), nullable: true },
    chattype: { ...str(16), nullable: true },
    from: { type: 'object', required: ['userid'], properties: { userid: { type: 'string', minLength: 1, maxLength: 64 } } },
    response_url: { ...str(2048), nullable: true },
    msgtype: str(32),
    text: { type: 'object', nullable: true, required: ['content'], properties: { content: { type: 'string' } } },
    file: { type: 'object', nullable: true, required: ['url'], properties: { url: str(2048) } },
    event: {
      type: 'object', nullable: true, required: ['eventtype'],
      properties: {
        eventtype: str(64),
        template_card_event: {
          type: 'object', nullable: true,
          properties: { event_key: { ...str(1024), nullable: true }, task_id: { ...str(128), nullable: true }, card_type: { ...str(64), nullable: true } },
        },
      },
    },
  },
};

const validate = new Ajv({ allErrors: false, strict: false }).compile(schema);

/** The callback when its shape is what the bot expects; otherwise null and the reason for the log. */
export function parseBotCallback(json: string): { ok: true; body: BotCallback } | { ok: false; reason: string } {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    return { ok: false, reason: 'decrypted body is not JSON' };
  }
  if (!validate(value)) return { ok: false, reason: `callback shape: ${validate.errors?.[0]?.instancePath || '/'} ${validate.errors?.[0]?.message ?? ''}` };
  if (value.msgtype === 'text' && !value.text) return { ok: false, reason: 'callback shape: a text message without text' };
  if (value.msgtype === 'event' && !value.event) return { ok: false, reason: 'callback shape: an event without event' };
  return { ok: true, body: value };
}
