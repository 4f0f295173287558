// What the approval page tests share: the app and its people, a pending request, and the page's two forms.
import { expect } from '@jest/globals';
import { approvalLink } from '../../../bot/approval-token.js';
import type { Actor } from '../../../core/context.js';
import { requestDeletion } from '../../../core/deletion/request.js';
import type { ApprovalRequest, Operator } from '../../../models/index.js';
import { startBotApp, type BotApp } from '../../helpers/bot-app.js';
import type { Harness } from '../../helpers/db.js';
import { newCustomer } from '../../core/fixtures.js';
import { codeSentTo, type PageBrowser } from './approval-page-browser.js';

export const START = Date.parse('2026-12-02T06:00:00Z');

/** The bot app, 张三 (sales) and two approvers with DingTalk accounts; `tick` starts the clock. */
export async function startApprovalPage(
  h: Harness,
  tick: () => void,
): Promise<{ app: BotApp; sales: Actor; zhou: Operator; wu: Operator }> {
  tick();
  const app = await startBotApp(h, { seed: false });
  const sales: Actor = { operator: await h.operator('张三', ['sales'], { dingtalk: 'zs-ding' }), door: 'dingtalk' };
  const zhou = await h.operator('周审批', ['approver'], { dingtalk: 'zhou-ding' });
  const wu = await h.operator('吴审批', ['approver'], { dingtalk: 'wu-ding' });
  return { app, sales, zhou, wu };
}

/** A pending deletion request by `sales` for a fresh customer, and the page path of `approver`'s link. */
export async function pendingRequest(
  h: Harness,
  sales: Actor,
  approver: Operator,
  tick: () => void,
): Promise<{ request: ApprovalRequest; path: string; name: string }> {
  const c = await newCustomer(h, sales, { ownerId: sales.operator.id });
  tick();
  const request = await requestDeletion(h.core, sales, c.code, '重复录入', { note: '已与客户确认' });
  const link = new URL(approvalLink(h.core, request, approver));
  return { request, path: link.pathname + link.search, name: c.name };
}

export const tokenOf = (path: string) => new URL(path, 'http://x').searchParams.get('t')!;

/** Opens the page and presses 发送验证码; returns the code the approver got in chat. */
export async function sendCodeAs(
  h: Harness,
  b: PageBrowser,
  r: ApprovalRequest,
  path: string,
  approver: Operator,
): Promise<string> {
  await b.get(path);
  const sent = await b.post(`/approvals/${r.id}/code`, { t: tokenOf(path), csrf: b.csrf() });
  expect(sent.status).toBe(200);
  expect(sent.text).toContain(`验证码已发到 ${approver.displayName} 的聊天消息`);
  const code = await codeSentTo(h.core, approver.id);
  expect(sent.text).not.toContain(code);
  return code;
}

export const decide = (b: PageBrowser, r: ApprovalRequest, path: string, fields: Record<string, string>) =>
  b.post(`/approvals/${r.id}`, { t: tokenOf(path), csrf: b.csrf(), ...fields });
