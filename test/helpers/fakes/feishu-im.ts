import crypto from 'node:crypto';
import type http from 'node:http';

export interface StoredMessage {
  id: string;
  msgType: string;
  content: string;
  receiveId: string | null;
}

/** What the im/v1 fake keeps: sent messages, request uuids already seen (→ message id), and files by message/key. */
export interface ImState {
  readonly messages: Map<string, StoredMessage>;
  readonly uuids: Map<string, string>;
  readonly files: Map<string, { body: Buffer; name: string }>;
}

export type Json = (status: number, value: unknown) => void;

/**
 * The im/v1 message APIs, past the bearer token check: create, reply, PATCH a shared card,
 * GET a message's file resource.
 */
export function answerIm(
  s: ImState,
  method: string,
  url: URL,
  body: Record<string, unknown>,
  json: Json,
  res: http.ServerResponse,
): void {
  const parts = url.pathname.split('/').slice(4); // after /open-apis/im/v1
  if (parts[0] !== 'messages') return json(404, { code: 404, msg: 'not found' });
  if (method === 'POST' && parts.length === 1) return createMessage(s, url, body, json);
  if (method === 'POST' && parts[2] === 'reply') return created(s, body, json, null);
  if (method === 'PATCH' && parts.length === 2) return patchCard(s, parts[1]!, body, json);
  if (method === 'GET' && parts[2] === 'resources') return sendResource(s, parts, url, json, res);
  return json(404, { code: 404, msg: 'not found' });
}

function createMessage(s: ImState, url: URL, body: Record<string, unknown>, json: Json): void {
  const type = url.searchParams.get('receive_id_type');
  if (!['open_id', 'chat_id', 'user_id', 'union_id', 'email'].includes(type ?? ''))
    return json(400, { code: 99992402, msg: 'field validation failed: receive_id_type' });
  if (typeof body.receive_id !== 'string' || !body.receive_id)
    return json(400, { code: 230001, msg: 'receive_id is required' });
  return created(s, body, json, body.receive_id);
}

/** Stores a new message (or answers with the one already sent under the same uuid). */
function created(s: ImState, body: Record<string, unknown>, json: Json, receiveId: string | null): void {
  const uuid = typeof body.uuid === 'string' ? body.uuid : null;
  const again = uuid ? s.uuids.get(uuid) : undefined;
  if (again) return json(200, { code: 0, msg: 'success', data: { message_id: again } });
  if (!['text', 'post', 'interactive'].includes(String(body.msg_type)) || typeof body.content !== 'string')
    return json(400, { code: 230001, msg: 'invalid msg_type or content' });
  const id = `om_${crypto.randomBytes(8).toString('hex')}`;
  if (uuid) s.uuids.set(uuid, id);
  s.messages.set(id, { id, msgType: String(body.msg_type), content: body.content, receiveId });
  return json(200, { code: 0, msg: 'success', data: { message_id: id, msg_type: body.msg_type } });
}

/** Only a card this bot sent, marked update_multi, can be patched. */
function patchCard(s: ImState, messageId: string, body: Record<string, unknown>, json: Json): void {
  const m = s.messages.get(messageId);
  if (!m || m.msgType !== 'interactive')
    return json(400, { code: 230001, msg: 'message is not a card sent by this bot' });
  const card = JSON.parse(m.content) as { config?: { update_multi?: boolean } };
  if (card.config?.update_multi !== true) return json(400, { code: 230099, msg: 'card is not shared (update_multi)' });
  if (typeof body.content !== 'string') return json(400, { code: 230001, msg: 'content is required' });
  m.content = body.content;
  return json(200, { code: 0, msg: 'success', data: {} });
}

function sendResource(s: ImState, parts: string[], url: URL, json: Json, res: http.ServerResponse): void {
  const f = s.files.get(`${parts[1]}/${parts[3]}`);
  if (url.searchParams.get('type') !== 'file') return json(400, { code: 234001, msg: 'invalid type' });
  if (!f) return json(404, { code: 234003, msg: 'file not found' });
  res.writeHead(200, {
    'content-type': 'application/octet-stream',
    'content-length': f.body.length,
    'content-disposition': `attachment; filename="${encodeURIComponent(f.name)}"; filename*=UTF-8''${encodeURIComponent(f.name)}`,
  });
  res.end(f.body);
}
