// A floor for the webhook bench: bare Koa that also reads one customer by code with a raw mysql2
// pool (no ORM, no crypto). Whatever a lookup does on top of this costs at least this much.
import Koa from 'koa';
import mysql from 'mysql2/promise';

const pool = mysql.createPool({ uri: process.env.DATABASE_URL!, connectionLimit: 10 });
const app = new Koa();
let n = 0;
app.use(async (ctx) => {
  const chunks: Buffer[] = [];
  for await (const c of ctx.req) chunks.push(c as Buffer);
  const code = `C2026${String((n++ % 50) + 1).padStart(4, '0')}`;
  const [rows] = await pool.query('SELECT id, code, name, status FROM customers WHERE code = ?', [code]);
  ctx.type = 'text/xml';
  ctx.body = `${JSON.stringify(rows)}${Buffer.concat(chunks).length}`;
});
const port = Number(process.env.PORT ?? 3999);
app.listen(port, '127.0.0.1', () => console.log(`listening on ${port}`));
