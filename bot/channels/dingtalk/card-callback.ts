import { createHash } from 'node:crypto';
import { Ajv, type JSONSchemaType } from 'ajv';
import type { IncomingMessage } from '../contract.js';
import { parseChecked, type Parsed } from './callback.js';

/** A card button press (topic /v1.0/card/instances/callback). `content`/`value` are JSON strings. */
export interface CardCallbackData {
  type?: string;
  outTrackId: string;
  userId: string;
  /** 1 = userid (the default), 2 = unionId. */
  userIdType?: number;
  spaceType?: string;
  spaceId?: string;
  content?: string;
  value?: string;
}

const str = (max: number) => ({ type: 'string', maxLength: max, nullable: true }) as const;
const id = (max: number) => ({ type: 'string', minLength: 1, maxLength: max }) as const;

const cardSchema: JSONSchemaType<CardCallbackData> = {
  type: 'object',
  required: ['outTrackId', 'userId'],
  properties: {
    type: str(64),
    outTrackId: id(128),
    userId: id(64),
    userIdType: { type: 'integer', nullable: true },
    spaceType: str(32),
    spaceId: str(191),
    content: str(20_000),
    value: str(20_000),
  },
};

// Compiled on first use, not at import: ajv's code generation is a noticeable part of every start.
const compileCard = () => new Ajv({ allErrors: false, strict: false }).compile(cardSchema);
let validateCard: ReturnType<typeof compileCard> | undefined;

/** A card callback frame's data, with the pressed button's id; else the reason. */
export function parseCardCallback(raw: unknown): Parsed<CardCallbackData & { buttonId: string }> {
  const parsed = parseChecked(raw, (validateCard ??= compileCard()));
  if (!parsed.ok) return parsed;
  const body = parsed.body;
  if (body.type && body.type !== 'actionCallback')
    return { ok: false, reason: `card callback type ${body.type.slice(0, 32)}` };
  // userIdType 2 would hand over a unionId, which is nobody's id on this channel.
  if (body.userIdType !== undefined && body.userIdType !== 1)
    return { ok: false, reason: `userIdType ${body.userIdType}` };
  const buttonId = pressedButton(body.content) ?? pressedButton(body.value);
  if (!buttonId) return { ok: false, reason: 'card callback without a button id' };
  return { ok: true, body: { ...body, buttonId } };
}

/** `{"cardPrivateData":{"params":{"buttonId"|"action": "…"}}}` → the id, when it is a sane string. */
function pressedButton(json: string | undefined): string | null {
  if (!json) return null;
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    return null;
  }
  const params = (value as { cardPrivateData?: { params?: Record<string, unknown> } } | null)?.cardPrivateData?.params;
  const idValue = params?.buttonId ?? params?.action;
  return typeof idValue === 'string' && idValue.length > 0 && idValue.length <= 128 ? idValue : null;
}

/**
 * A button press → IncomingMessage. The key is the card, the user and the button, so DingTalk's
 * redelivery of the same press has the same key (hashed when it would not fit the dedupe column).
 */
export function cardMessage(body: CardCallbackData & { buttonId: string }, correlationId: string): IncomingMessage {
  const plain = `card:${body.outTrackId}:${body.userId}:${body.buttonId}`;
  const messageKey = plain.length <= 191 ? plain : `card:${createHash('sha256').update(plain).digest('hex')}`;
  const group = body.spaceType === 'IM_GROUP';
  return {
    channel: 'dingtalk',
    via: 'dingtalk-stream',
    messageKey,
    userId: body.userId,
    chatType: group ? 'group' : 'direct',
    ...(group && body.spaceId ? { conversationId: body.spaceId } : {}),
    text: '',
    buttonId: body.buttonId,
    correlationId,
  };
}
