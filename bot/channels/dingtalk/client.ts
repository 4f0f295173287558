import type { Core } from '../../../core/context.js';
import type { Reply } from '../contract.js';
import { dingtalkWebhookSignedUrl } from '../../crypto/dingtalk-sign.js';
import { FileFetchError, fetchFile, type FetchedFile } from '../../files/fetch.js';
import { ApiError, requestJson } from '../../http-client.js';
import { settingsOf } from './config.js';

/** The DingTalk message body (text, markdown or actionCard) shared by webhooks and OpenAPI. */
export function dingtalkBody(reply: Reply): { msgtype: string; [k: string]: unknown } {
  const mentions = reply.mentions ?? [];
  const at = { atUserIds: mentions, isAtAll: false };
  const mentionText = mentions.map((u) => `@${u}`).join(' ');
  if (reply.links?.length) {
    return {
      msgtype: 'actionCard',
      actionCard: {
        title: reply.title ?? '客户管家',
        text: `${reply.title ? `### ${reply.title}\n\n` : ''}${reply.text}${mentionText ? `\n\n${mentionText}` : ''}`,
        btnOrientation: '1',
        btns: reply.links.map((l) => ({ title: l.text, actionURL: l.url })),
      },
      at,
    };
  }
  const buttons = reply.buttons?.length ? `\n${reply.buttons.map((b) => `• ${b.text}`).join('\n')}` : '';
  return {
    msgtype: 'text',
    text: {
      content: `${reply.title ? `${reply.title}\n` : ''}${reply.text}${buttons}${mentionText ? `\n${mentionText}` : ''}`,
    },
    at,
  };
}

/** The same message as OpenAPI msgKey/msgParam. */
function openApiMessage(reply: Reply): { msgKey: string; msgParam: string } {
  const body = dingtalkBody(reply);
  if (body.msgtype === 'actionCard') {
    const card = body.actionCard as { title: string; text: string; btns: { title: string; actionURL: string }[] };
    const params: Record<string, string> = { title: card.title, text: card.text };
    card.btns.slice(0, 6).forEach((b, i) => {
      params[`actionTitle${i + 1}`] = b.title;
      params[`actionURL${i + 1}`] = b.actionURL;
    });
    return {
      msgKey: `sampleActionCard${Math.min(Math.max(card.btns.length, 2), 6)}`,
      msgParam: JSON.stringify(params),
    };
  }
  return { msgKey: 'sampleText', msgParam: JSON.stringify({ content: (body.text as { content: string }).content }) };
}

/** DingTalk: sessionWebhook replies, and OpenAPI robot messages with a cached token. */
export class DingtalkClient {
  private token: { value: string; expiresAt: number } | null = null;
  /** A token request in flight: concurrent callers share it. */
  private pending: Promise<string> | null = null;

  constructor(private readonly core: Core) {}

  private async fetchToken(): Promise<string> {
    const s = settingsOf(this.core);
    const res = await requestJson<{ accessToken?: unknown; expireIn?: unknown; code?: string; message?: string }>(
      `${s.apiBase}/v1.0/oauth2/accessToken`,
      { body: { appKey: s.appKey, appSecret: s.appSecret } },
    );
    if (typeof res.accessToken !== 'string' || !res.accessToken)
      throw new ApiError(`DingTalk accessToken failed: ${res.code} ${res.message}`, false, res.code);
    // DingTalk's tokens live 7200 s; renewed five minutes early so one never expires mid-request.
    const ttl = typeof res.expireIn === 'number' && res.expireIn > 0 ? Math.min(res.expireIn, 7200) : 7200;
    this.token = { value: res.accessToken, expiresAt: Date.now() + Math.max(ttl - 300, 60) * 1000 };
    return this.token.value;
  }

  private accessToken(force = false): Promise<string> {
    if (!force && this.token && this.token.expiresAt > Date.now()) return Promise.resolve(this.token.value);
    this.pending ??= this.fetchToken().finally(() => (this.pending = null));
    return this.pending;
  }

  /**
   * One OpenAPI call with the app's token (header `x-acs-dingtalk-access-token`). A token DingTalk no
   * longer accepts comes back as 401/403: refreshed once and tried again.
   */
  async openApi<T = Record<string, unknown>>(
    path: string,
    body: Record<string, unknown>,
    method: 'POST' | 'PUT' = 'POST',
  ): Promise<T> {
    const base = settingsOf(this.core).apiBase;
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        return await requestJson<T>(`${base}${path}`, {
          method,
          body,
          headers: { 'x-acs-dingtalk-access-token': await this.accessToken(attempt > 0) },
        });
      } catch (err) {
        if (attempt === 0 && err instanceof ApiError && /HTTP 40[13]/.test(err.message)) continue;
        throw err;
      }
    }
    throw new ApiError(`DingTalk ${path}: token refresh did not help`, true);
  }

  /**
   * A file a user sent the robot in a 1:1 chat (msgtype "file", content.downloadCode): the code
   * buys a short-lived downloadUrl, which is then fetched.
   * https://open.dingtalk.com/document/orgapp/download-the-file-content-of-the-robot-receiving-message
   * (mirrored at https://help.dingtalk.io/zh/open/development/download-the-file-content-of-the-robot-receiving-message)
   */
  async downloadMessageFile(downloadCode: string, robotCode: string, maxBytes: number): Promise<FetchedFile> {
    let url: unknown;
    try {
      url = (
        await this.openApi<{ downloadUrl?: unknown }>('/v1.0/robot/messageFiles/download', { downloadCode, robotCode })
      ).downloadUrl;
    } catch (err) {
      throw new FileFetchError('download', (err as Error).message);
    }
    if (typeof url !== 'string' || !/^https?:\/\//.test(url))
      throw new FileFetchError('download', 'DingTalk messageFiles/download returned no downloadUrl');
    return fetchFile(url, { maxBytes });
  }

  /** Replies through the message's sessionWebhook (valid ~90 minutes). */
  async viaSessionWebhook(url: string, reply: Reply): Promise<void> {
    const res = await requestJson<{ errcode?: number; errmsg?: string }>(url, { body: dingtalkBody(reply) });
    if (res.errcode)
      throw new ApiError(
        `DingTalk sessionWebhook failed: ${res.errcode} ${res.errmsg}`,
        res.errcode === 130101,
        res.errcode,
      );
  }

  /** A robot message to a group by openConversationId. */
  async sendToGroup(openConversationId: string, reply: Reply): Promise<void> {
    await this.openApi('/v1.0/robot/groupMessages/send', {
      robotCode: settingsOf(this.core).robotCode,
      openConversationId,
      ...openApiMessage(reply),
    });
  }

  /** Robot messages to members' 1:1 chats. */
  async sendToUsers(userIds: string[], reply: Reply): Promise<void> {
    await this.openApi('/v1.0/robot/oToMessages/batchSend', {
      robotCode: settingsOf(this.core).robotCode,
      userIds,
      ...openApiMessage(reply),
    });
  }

  /** The custom group robot webhook, signed with 加签 when a secret is set. */
  async viaCustomRobot(reply: Reply): Promise<void> {
    const { groupWebhook: url, groupSecret: secret } = settingsOf(this.core);
    if (!url) throw new ApiError('DINGTALK_GROUP_WEBHOOK is not set', false);
    const target = secret ? dingtalkWebhookSignedUrl(url, secret, Date.now()) : url;
    const res = await requestJson<{ errcode?: number; errmsg?: string }>(target, { body: dingtalkBody(reply) });
    if (res.errcode)
      throw new ApiError(
        `DingTalk robot webhook failed: ${res.errcode} ${res.errmsg}`,
        res.errcode === 130101,
        res.errcode,
      );
  }
}

const clients = new WeakMap<Core, DingtalkClient>();

/** One client per core, so its access token is shared by the door and the dispatcher. */
export function dingtalkClient(core: Core): DingtalkClient {
  let client = clients.get(core);
  if (!client) clients.set(core, (client = new DingtalkClient(core)));
  return client;
}
