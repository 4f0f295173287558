// A jshERP database for tests and the bench, written from the facts in shared/reference/jsherp.md
// (the columns the connector reads and writes, with jshERP's types), not copied from their files.
import mysql from 'mysql2/promise';

export const JSH_TABLES = [
  `CREATE TABLE jsh_supplier (
    id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY, supplier VARCHAR(255) NOT NULL, contacts VARCHAR(100) NULL, phone_num VARCHAR(30) NULL,
    email VARCHAR(50) NULL, description VARCHAR(500) NULL, isystem TINYINT NULL, type VARCHAR(20) NULL, enabled BIT(1) NULL,
    advance_in DECIMAL(24,6) NULL DEFAULT 0, begin_need_get DECIMAL(24,6) NULL, begin_need_pay DECIMAL(24,6) NULL, fax VARCHAR(30) NULL,
    telephone VARCHAR(30) NULL, address VARCHAR(100) NULL, tax_num VARCHAR(50) NULL, bank_name VARCHAR(50) NULL, account_number VARCHAR(50) NULL,
    tax_rate DECIMAL(24,6) NULL, sort VARCHAR(10) NULL, creator BIGINT NULL, tenant_id BIGINT NULL, delete_flag VARCHAR(1) NULL DEFAULT '0',
    INDEX type (type), INDEX tenant_id (tenant_id)) CHARACTER SET utf8mb4`,
  `CREATE TABLE jsh_depot_head (
    id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY, type VARCHAR(50) NULL, sub_type VARCHAR(50) NULL, default_number VARCHAR(50) NULL, number VARCHAR(50) NULL,
    create_time DATETIME NULL, oper_time DATETIME NULL, organ_id BIGINT NULL, creator BIGINT NULL, account_id BIGINT NULL,
    change_amount DECIMAL(24,6) NULL, back_amount DECIMAL(24,6) NULL, total_price DECIMAL(24,6) NULL, pay_type VARCHAR(50) NULL, remark VARCHAR(1000) NULL,
    discount DECIMAL(24,6) NULL, discount_money DECIMAL(24,6) NULL, discount_last_money DECIMAL(24,6) NULL, other_money DECIMAL(24,6) NULL,
    deposit DECIMAL(24,6) NULL, debt DECIMAL(24,6) NULL, status VARCHAR(1) NULL, link_number VARCHAR(50) NULL, tenant_id BIGINT NULL,
    delete_flag VARCHAR(1) NULL DEFAULT '0', INDEX organ (organ_id), INDEX number (number), INDEX link_number (link_number), INDEX tenant_id (tenant_id)) CHARACTER SET utf8mb4`,
  `CREATE TABLE jsh_account_head (
    id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY, type VARCHAR(50) NULL, organ_id BIGINT NULL, hands_person_id BIGINT NULL, creator BIGINT NULL,
    change_amount DECIMAL(24,6) NULL, discount_money DECIMAL(24,6) NULL, total_price DECIMAL(24,6) NULL, account_id BIGINT NULL, bill_no VARCHAR(50) NULL,
    bill_time DATETIME NULL, remark VARCHAR(1000) NULL, status VARCHAR(1) NULL, tenant_id BIGINT NULL, delete_flag VARCHAR(1) NULL DEFAULT '0',
    INDEX organ (organ_id), INDEX bill_no (bill_no), INDEX tenant_id (tenant_id)) CHARACTER SET utf8mb4`,
  `CREATE TABLE jsh_account_item (
    id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY, header_id BIGINT NOT NULL, account_id BIGINT NULL, in_out_item_id BIGINT NULL, bill_id BIGINT NULL,
    need_debt DECIMAL(24,6) NULL, finish_debt DECIMAL(24,6) NULL, each_amount DECIMAL(24,6) NULL, remark VARCHAR(500) NULL, tenant_id BIGINT NULL,
    delete_flag VARCHAR(1) NULL DEFAULT '0', INDEX header (header_id), INDEX bill_id (bill_id), INDEX tenant_id (tenant_id)) CHARACTER SET utf8mb4`,
  `CREATE TABLE jsh_log (
    id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY, user_id BIGINT NULL, operation VARCHAR(500) NULL, client_ip VARCHAR(200) NULL, create_time DATETIME NULL,
    status TINYINT NULL, content VARCHAR(5000) NULL, tenant_id BIGINT NULL, INDEX create_time (create_time), INDEX tenant_id (tenant_id)) CHARACTER SET utf8mb4`,
];

/** Creates (or re-creates) database `name` on the server `base` names, with the jshERP tables; returns its URL. */
export async function createJshDatabase(base: string, name: string): Promise<string> {
  const u = new URL(base);
  const conn = await mysql.createConnection({
    host: u.hostname,
    port: Number(u.port || 3306),
    user: decodeURIComponent(u.username || 'root'),
    password: decodeURIComponent(u.password),
    socketPath: u.searchParams.get('socketPath') ?? undefined,
  });
  try {
    await conn.query(`DROP DATABASE IF EXISTS \`${name}\``);
    await conn.query(`CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci`);
    await conn.query(`USE \`${name}\``);
    for (const ddl of JSH_TABLES) await conn.query(ddl);
  } finally {
    await conn.end();
  }
  u.pathname = `/${name}`;
  return u.toString();
}

/** Drops a database created by createJshDatabase. */
export async function dropJshDatabase(url: string): Promise<void> {
  const u = new URL(url);
  const conn = await mysql.createConnection({
    host: u.hostname,
    port: Number(u.port || 3306),
    user: decodeURIComponent(u.username || 'root'),
    password: decodeURIComponent(u.password),
    socketPath: u.searchParams.get('socketPath') ?? undefined,
  });
  try {
    await conn.query(`DROP DATABASE IF EXISTS \`${u.pathname.slice(1)}\``);
  } finally {
    await conn.end();
  }
}
