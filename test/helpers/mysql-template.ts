import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import mysql from 'mysql2/promise';
import type { Core } from '../../core/context.js';

/** Marks a template whose migrations all ran (a builder that died half-way leaves none). */
const READY = 'steward_template_ready';

function connect(u: URL, multipleStatements = false): Promise<mysql.Connection> {
  return mysql.createConnection({
    host: u.hostname,
    port: Number(u.port || 3306),
    user: decodeURIComponent(u.username || 'root'),
    password: decodeURIComponent(u.password),
    socketPath: u.searchParams.get('socketPath') ?? undefined,
    multipleStatements,
  });
}

/** The migrated template database for this fingerprint, built once on the server (under a lock: workers start together). */
async function ensureTemplate(
  conn: mysql.Connection,
  base: URL,
  fingerprint: string,
  migrationCore: (url: string, dir: string) => Core,
): Promise<string> {
  const name = `steward_schema_${fingerprint}`;
  await conn.query("SELECT GET_LOCK('steward_schema_template', 300)");
  try {
    const [ready] = await conn.query<mysql.RowDataPacket[]>(
      'SELECT 1 FROM information_schema.tables WHERE table_schema = ? AND table_name = ?',
      [name, READY],
    );
    if (ready.length) return name;
    const [old] = await conn.query<mysql.RowDataPacket[]>(
      "SELECT schema_name AS s FROM information_schema.schemata WHERE schema_name LIKE 'steward\\_schema\\_%'",
    );
    for (const { s } of old) await conn.query(`DROP DATABASE \`${String(s)}\``);
    await conn.query(`CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
    const u = new URL(base);
    u.pathname = `/${name}`;
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'steward-schema-'));
    const core = migrationCore(u.toString(), dir);
    try {
      await core.schema.up(core.models.sequelize);
    } finally {
      await core.models.sequelize.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
    await conn.query(`CREATE TABLE \`${name}\`.\`${READY}\` (id INT PRIMARY KEY)`);
    return name;
  } finally {
    await conn.query("SELECT RELEASE_LOCK('steward_schema_template')");
  }
}

/**
 * Fills the new, empty MySQL/MariaDB database at `url` with a copy of the migrated template:
 * each table's own CREATE TABLE (indexes and foreign keys included) and its rows (the migration
 * log, seeded lists). About a third of the time migrating takes, since ALTERs rebuild tables.
 */
export async function cloneMysqlTemplate(
  url: string,
  fingerprint: string,
  migrationCore: (url: string, dir: string) => Core,
): Promise<void> {
  const target = new URL(url);
  const db = decodeURIComponent(target.pathname.slice(1));
  const conn = await connect(target, true);
  try {
    const template = await ensureTemplate(conn, target, fingerprint, migrationCore);
    const [tables] = await conn.query<mysql.RowDataPacket[]>(
      "SELECT table_name AS t FROM information_schema.tables WHERE table_schema = ? AND table_type = 'BASE TABLE' AND table_name <> ?",
      [template, READY],
    );
    const statements = ['SET FOREIGN_KEY_CHECKS = 0', `USE \`${db}\``];
    for (const { t } of tables) {
      const [[show]] = await conn.query<mysql.RowDataPacket[]>(`SHOW CREATE TABLE \`${template}\`.\`${String(t)}\``);
      const [cols] = await conn.query<mysql.RowDataPacket[]>(
        "SELECT column_name AS c FROM information_schema.columns WHERE table_schema = ? AND table_name = ? AND extra NOT LIKE '%GENERATED%' ORDER BY ordinal_position",
        [template, t],
      );
      const list = cols.map(({ c }) => `\`${String(c)}\``).join(', ');
      statements.push(String(show!['Create Table']));
      statements.push(`INSERT INTO \`${String(t)}\` (${list}) SELECT ${list} FROM \`${template}\`.\`${String(t)}\``);
    }
    statements.push('SET FOREIGN_KEY_CHECKS = 1');
    await conn.query(statements.join(';\n'));
  } finally {
    await conn.end();
  }
}
