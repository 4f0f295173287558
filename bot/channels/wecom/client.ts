import type { Core } from '../../../core/context.js';
import type { Reply } from '../contract.js';
import { FileFetchError, fetchFile, type FetchedFile } from '../../files/fetch.js';
import { ApiError, requestJson } from '../../http-client.js';
import { settingsOf } from './config.js';
import { buttonCard, markdownBody, pushBody } from './replies.js';

const TOKEN_ERRORS = new Set([40014, 42001, 41001]);
/** message/send: the card's task_id is already taken (doc 90236). */
const TASK_ID_EXISTS = 42014;

interface WecomResponse {
  errcode?: number;
  errmsg?: string;
  access_token?: string;
  expires_in?: number;
  response_code?: string;
}

/** WeCom server API: cached access token, app messages, card updates and the group webhook. */
export class WecomClient {
  private token: { value: string; expiresAt: number } | null = null;

  constructor(private readonly core: Core) {}

  private get base(): string {
    return settingsOf(this.core).apiBase;
  }

  private async accessToken(force = false): Promise<string> {
    if (!force && this.token && this.token.expiresAt > Date.now()) return this.token.value;
    const { corpId: corpid, secret } = settingsOf(this.core);
    const res = await requestJson<WecomResponse>(
      `${this.base}/cgi-bin/gettoken?corpid=${encodeURIComponent(corpid ?? '')}&corpsecret=${encodeURIComponent(secret ?? '')}`,
    );
    if (res.errcode || !res.access_token)
      throw new ApiError(`WeCom gettoken failed: ${res.errcode} ${res.errmsg}`, false, res.errcode);
    // Refresh five minutes early so a token never expires mid-request.
    this.token = { value: res.access_token, expiresAt: Date.now() + ((res.expires_in ?? 7200) - 300) * 1000 };
    return this.token.value;
  }

  /** Calls an API with the token; a token error triggers one refresh and one retry. */
  private async call(path: string, body: unknown): Promise<WecomResponse> {
    for (let attempt = 0; attempt < 2; attempt++) {
      const token = await this.accessToken(attempt > 0);
      const res = await requestJson<WecomResponse>(`${this.base}${path}?access_token=${encodeURIComponent(token)}`, {
        body,
      });
      if (res.errcode && TOKEN_ERRORS.has(res.errcode) && attempt === 0) continue;
      if (res.errcode)
        throw new ApiError(`WeCom ${path} failed: ${res.errcode} ${res.errmsg}`, res.errcode === -1, res.errcode);
      return res;
    }
    throw new ApiError(`WeCom ${path}: token refresh did not help`, true);
  }

  /** An app message to one member's 1:1 chat: text, or a button_interaction card when there are buttons. */
  async sendToUser(userId: string, reply: Reply, taskId: string): Promise<{ responseCode: string | null }> {
    const agentid = Number(settingsOf(this.core).agentId);
    const body = reply.buttons?.length
      ? { touser: userId, msgtype: 'template_card', agentid, template_card: buttonCard(taskId, reply, reply.text) }
      : {
          touser: userId,
          msgtype: 'text',
          agentid,
          text: { content: reply.title ? `${reply.title}\n${reply.text}` : reply.text },
        };
    try {
      const res = await this.call('/cgi-bin/message/send', body);
      return { responseCode: res.response_code ?? null };
    } catch (err) {
      // A card's task_id is unique per app, and each outbox row sends under its own (dispatcher.ts):
      // 42014 (task_id exists) means an earlier try of this row landed and only its answer was lost
      // (a timeout). The card is delivered; its response_code, for greying it out later, is not known.
      if (reply.buttons?.length && err instanceof ApiError && err.errcode === TASK_ID_EXISTS)
        return { responseCode: null };
      throw err;
    }
  }

  /**
   * A file a member sent the app, by MediaId (临时素材, valid 3 days): GET /cgi-bin/media/get. The
   * body is the file and its name is in Content-Disposition; a failure is a JSON body with errcode.
   * Over 20 MB WeCom wants Range requests (errcode 830002); the import's size cap stays below that
   * by default. https://developer.work.weixin.qq.com/document/path/90254
   */
  async getMedia(mediaId: string, maxBytes: number): Promise<FetchedFile> {
    for (let attempt = 0; attempt < 2; attempt++) {
      let token: string;
      try {
        token = await this.accessToken(attempt > 0);
      } catch (err) {
        throw new FileFetchError('download', (err as Error).message);
      }
      const file = await fetchFile(
        `${this.base}/cgi-bin/media/get?access_token=${encodeURIComponent(token)}&media_id=${encodeURIComponent(mediaId)}`,
        { maxBytes },
      );
      if (!/json/i.test(file.contentType)) return file;
      let res: WecomResponse = {};
      try {
        res = JSON.parse(file.data.toString('utf8')) as WecomResponse;
      } catch {
        // not JSON after all: fall through to the error below
      }
      if (res.errcode && TOKEN_ERRORS.has(res.errcode) && attempt === 0) continue;
      throw new FileFetchError(
        'download',
        `WeCom media/get failed: ${res.errcode ?? 'no errcode'} ${res.errmsg ?? ''}`.trim(),
      );
    }
    throw new FileFetchError('download', 'WeCom media/get: token refresh did not help');
  }

  /** Greys out a sent card's buttons with `text` for the given members. */
  async updateCard(responseCode: string, userIds: string[], text: string): Promise<void> {
    await this.call('/cgi-bin/message/update_template_card', {
      userids: userIds,
      agentid: Number(settingsOf(this.core).agentId),
      response_code: responseCode,
      button: { replace_name: text.slice(0, 20) },
    });
  }

  /**
   * The AI bot's late answer, to the message's temporary response_url (path/101138): markdown or a
   * card, no token. The caller has checked the URL is WeCom's own host.
   */
  async viaResponseUrl(url: string, reply: Reply, taskId: string): Promise<void> {
    const res = await requestJson<WecomResponse>(url, { body: pushBody(reply, taskId, 4000) });
    if (res.errcode) throw new ApiError(`WeCom response_url failed: ${res.errcode} ${res.errmsg}`, false, res.errcode);
  }

  /** Markdown to the group push webhook; `<@userid>` mentions the approvers. */
  async sendToGroup(reply: Reply): Promise<void> {
    const key = settingsOf(this.core).groupWebhookKey ?? '';
    const res = await requestJson<WecomResponse>(`${this.base}/cgi-bin/webhook/send?key=${encodeURIComponent(key)}`, {
      body: markdownBody(reply, 4000),
    });
    if (res.errcode)
      throw new ApiError(`WeCom webhook failed: ${res.errcode} ${res.errmsg}`, res.errcode === 45009, res.errcode);
  }
}

const clients = new WeakMap<Core, WecomClient>();

/** One client per core, so its access token is shared by the doors and the dispatcher. */
export function wecomClient(core: Core): WecomClient {
  let client = clients.get(core);
  if (!client) clients.set(core, (client = new WecomClient(core)));
  return client;
}
