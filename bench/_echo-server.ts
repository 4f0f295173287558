// The bare Koa baseline for the webhook bench: read the body, echo it back.
import Koa from 'koa';

const app = new Koa();
app.use(async (ctx) => {
  const chunks: Buffer[] = [];
  for await (const c of ctx.req) chunks.push(c as Buffer);
  ctx.type = 'text/xml';
  ctx.body = Buffer.concat(chunks).toString('utf8');
});
const port = Number(process.env.PORT ?? 3999);
app.listen(port, '127.0.0.1', () => console.log(`listening on ${port}`));
