import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { refuseStrandedDatabase } from '../../core/boot.js';
import { ConfigError, loadConfig } from '../../core/config.js';
import { parseDatabaseUrl, DatabaseUrlError } from '../../models/db.js';

describe('configuration', () => {
  it('uses the documented defaults', () => {
    const c = loadConfig({});
    expect(c.PORT).toBe(3000);
    expect(c.DATABASE_URL).toBe('sqlite:./data/steward.sqlite');
    expect(c.CODE_RULE).toBe('C{YYYY}{SEQ:4}');
    expect(c.PUBLIC_URL).toBe('http://localhost:3000');
    expect(c.APPROVAL_TTL_HOURS).toBe(48);
  });

  it('names the variable and what is expected for a bad port', () => {
    expect(() => loadConfig({ PORT: 'abc' })).toThrow(ConfigError);
    expect(() => loadConfig({ PORT: 'abc' })).toThrow(/PORT 应为 1–65535 之间的整数.*"abc"/);
  });

  it('reports every bad variable in one message', () => {
    let message = '';
    try {
      loadConfig({ PORT: '70000', WECOM_AES_KEY: 'short', LOG_LEVEL: 'loud' });
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toMatch(/PORT/);
    expect(message).toMatch(/LOG_LEVEL/);
    // A messenger's block is its channel's to check (bot/channels/<id>/config.ts), not core's.
    expect(message).not.toMatch(/WECOM_AES_KEY/);
    expect(message.split('\n')).toHaveLength(1);
  });

  it('keeps the raw variables for the channels, out of sight of logs', () => {
    const config = loadConfig({ WECOM_AES_KEY: 'short' });
    expect(config.env.WECOM_AES_KEY).toBe('short');
    expect(JSON.stringify(config)).not.toContain('WECOM_AES_KEY');
  });

  it('is frozen, raw variables included: nothing changes a loaded config', () => {
    const env = { PORT: '4000', WECOM_AES_KEY: 'short' };
    const config = loadConfig(env);
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.env)).toBe(true);
    expect(() => Object.assign(config, { PORT: 1 })).toThrow(TypeError);
    expect(() => Object.assign(config.env, { WECOM_AES_KEY: 'other' })).toThrow(TypeError);
    env.WECOM_AES_KEY = 'changed later';
    expect([config.PORT, config.env.WECOM_AES_KEY]).toEqual([4000, 'short']);
  });

  it('refuses a DATABASE_URL of an unsupported kind', () => {
    expect(() => loadConfig({ DATABASE_URL: 'postgres://x@y/z' })).toThrow(
      /DATABASE_URL 应为 sqlite:<文件路径> 或 mysql:\/\//,
    );
  });

  it('refuses an invalid manual-code regex', () => {
    expect(() => loadConfig({ CODE_MANUAL_PATTERN: '([' })).toThrow(/CODE_MANUAL_PATTERN 应为合法的正则表达式/);
  });
});

describe('DATABASE_URL parsing', () => {
  it('reads a MySQL URL with a unix socket', () => {
    expect(parseDatabaseUrl('mysql://root@localhost/steward?socketPath=/run/mysqld/mysqld.sock')).toEqual({
      dialect: 'mysql',
      host: 'localhost',
      port: 3306,
      user: 'root',
      password: '',
      database: 'steward',
      socketPath: '/run/mysqld/mysqld.sock',
    });
  });

  it('reads an SQLite path', () => {
    expect(parseDatabaseUrl('sqlite:./data/x.sqlite')).toEqual({ dialect: 'sqlite', storage: './data/x.sqlite' });
  });

  it('explains a URL without a database name, hiding the password', () => {
    expect(() => parseDatabaseUrl('mysql://root:secret@127.0.0.1:3306/')).toThrow(DatabaseUrlError);
    expect(() => parseDatabaseUrl('mysql://root:secret@127.0.0.1:3306/')).toThrow(/缺少数据库名/);
    expect(() => parseDatabaseUrl('mysql://root:se cret@[bad')).toThrow(/root:\*\*\*@/);
  });
});

describe('proxy trust', () => {
  it('refuses an https PUBLIC_URL unless TRUST_PROXY is set', () => {
    expect(() => loadConfig({ PUBLIC_URL: 'https://steward.example.com' })).toThrow(
      /PUBLIC_URL 是 https 地址时.*TRUST_PROXY=true/,
    );
    expect(loadConfig({ PUBLIC_URL: 'https://steward.example.com', TRUST_PROXY: 'true' }).TRUST_PROXY).toBe(true);
    expect(loadConfig({}).TRUST_PROXY).toBe(false);
  });
});

describe('where the default SQLite file lives', () => {
  it('refuses to start an empty database in DATA_DIR while the old default ./data/steward.sqlite holds one', () => {
    const cwd = fs.mkdtempSync(path.join(os.tmpdir(), 'steward-cwd-'));
    fs.mkdirSync(path.join(cwd, 'data'));
    fs.writeFileSync(path.join(cwd, 'data', 'steward.sqlite'), 'x');
    const config = loadConfig({ DATA_DIR: 'var' });
    expect(() => refuseStrandedDatabase(config, cwd)).toThrow(/而 \.\/data\/steward\.sqlite 有数据。请把/);
    expect(() =>
      refuseStrandedDatabase(loadConfig({ DATA_DIR: 'var', DATABASE_URL: 'sqlite:./data/steward.sqlite' }), cwd),
    ).not.toThrow();
    fs.mkdirSync(path.join(cwd, 'var'));
    fs.writeFileSync(path.join(cwd, 'var', 'steward.sqlite'), 'y');
    expect(() => refuseStrandedDatabase(config, cwd)).not.toThrow();
  });

  it('keeps the default SQLite file in DATA_DIR, beside the dev keys, unless DATABASE_URL is set', () => {
    expect(loadConfig({ DATA_DIR: '/srv/steward/' }).DATABASE_URL).toBe('sqlite:/srv/steward/steward.sqlite');
    expect(loadConfig({ DATA_DIR: '/srv/steward', DATABASE_URL: 'sqlite:/tmp/x.sqlite' }).DATABASE_URL).toBe(
      'sqlite:/tmp/x.sqlite',
    );
  });
});
