// Information for the webhook bench: the work a 客户 lookup cannot skip, with nothing around it. It
// reads the body, checks the signature, decrypts, finds the speaker and the customer in one
// statement as the chat does (ConversationStore.speaker with codeRead), decrypts and masks the
// card, then seals the passive reply. It has no Koa middleware (request id, metrics, security
// headers, error mapping, router), no pipeline (dedupe, command registry, deadline, log lines) and
// no correlation scope. Where ours stands between this and the floor shows what those cost.
import Koa from 'koa';
import { ConversationStore } from '../bot/conversation.js';
import { createCallbackCrypto } from '../bot/crypto/wecom-crypto.js';
import { customerText } from '../bot/format.js';
// eslint-disable-next-line no-restricted-imports -- the work measured is the WeCom door's own XML, not a stand-in
import { buildPassiveReplyXml, buildTextReplyXml, parseWecomXml } from '../bot/channels/wecom/xml.js';
import { openCore } from '../core/boot.js';
import { loadConfig } from '../core/config.js';
import type { Actor } from '../core/context.js';
import { codeRead, lookupByCode } from '../core/customers/lookup.js';
import { createLogger } from '../core/logger.js';

const env = process.env as Record<string, string>;
const core = openCore(loadConfig(process.env), createLogger('warn'));
const box = createCallbackCrypto({
  token: env.WECOM_TOKEN!,
  encodingAESKey: env.WECOM_AES_KEY!,
  receiveId: env.WECOM_CORP_ID!,
});
const conversations = new ConversationStore(core);

const app = new Koa();
app.use(async (ctx) => {
  const chunks: Buffer[] = [];
  for await (const c of ctx.req) chunks.push(c as Buffer);
  const q = ctx.query as Record<string, string>;
  const sealed = parseWecomXml(Buffer.concat(chunks).toString('utf8')).Encrypt ?? '';
  const f = parseWecomXml(
    box.verifyAndDecrypt({ msg_signature: q.msg_signature!, timestamp: q.timestamp!, nonce: q.nonce! }, sealed),
  );
  const code = (f.Content ?? '').replace(/^客户\s+/, '');
  const speaker = await conversations.speaker('wecom', f.FromUserName ?? '', codeRead(core, code));
  if (!speaker) throw new Error(`unknown speaker ${f.FromUserName}`);
  const actor: Actor = { operator: speaker.operator, door: 'wecom', requestId: 'lookup-work' };
  const found = await lookupByCode(core, actor, code, speaker.row);
  if (!found?.view) throw new Error(`no customer ${code}`);
  const content = customerText(core, found.view, { full: false, ownerName: found.ownerName });
  const plain = buildTextReplyXml({
    toUser: f.FromUserName ?? '',
    fromUser: env.WECOM_CORP_ID!,
    createTime: Math.floor(Date.now() / 1000),
    content,
  });
  ctx.type = 'application/xml';
  ctx.body = buildPassiveReplyXml(box.encryptReply(plain, q.timestamp!, q.nonce!));
});
const port = Number(process.env.PORT ?? 3999);
app.listen(port, '127.0.0.1', () => console.log(`listening on ${port}`));
// Exit normally on SIGTERM, so --cpu-prof (BENCH_NODE_FLAGS) writes its profile.
process.on('SIGTERM', () => process.exit(0));
