import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { afterAll, expect, it } from '@jest/globals';
import { openCore, prepareDatabase } from '../../../core/boot.js';
import type { Core } from '../../../core/context.js';
import { takeBackup } from '../../../core/data/backup/backup.js';
import { restoreBackup } from '../../../core/data/backup/restore.js';
import { createLogger } from '../../../core/logger.js';
import { identitiesOf, operatorByIdentity } from '../../../core/operators.js';
import { eachDialect, freshMysqlDatabase, testConfig } from '../../helpers/db.js';
import { tempDir } from '../fixtures.js';

type Table = { file: string; rows: number; bytes: number; sha256: string; contentSha256: string; columns: string[] };

/**
 * Turns a current backup into one as taken before migration 0010: operators carry their WeCom and
 * DingTalk ids in columns of their own, and there is no operator_identities table.
 */
function asPre0010(dir: string, ids: Map<number, { wecom?: string; dingtalk?: string }>): void {
  const manifestPath = path.join(dir, 'manifest.json');
  const manifest = JSON.parse(fs.readFileSync(manifestPath, 'utf8')) as {
    migrations: string[];
    tables: Record<string, Table>;
  };
  const ops = manifest.tables.operators!;
  const columns = [...ops.columns, 'dingtalk_user_id', 'wecom_user_id'].sort();
  const lines = zlib
    .gunzipSync(fs.readFileSync(path.join(dir, ops.file)))
    .toString('utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const old = JSON.parse(line) as unknown[];
      const row = Object.fromEntries(ops.columns.map((c, i) => [c, old[i]]));
      const mine = ids.get(Number(row.id)) ?? {};
      return JSON.stringify(
        columns.map((c) =>
          c === 'wecom_user_id' ? (mine.wecom ?? null) : c === 'dingtalk_user_id' ? (mine.dingtalk ?? null) : row[c],
        ),
      );
    });
  const body = zlib.gzipSync(lines.map((l) => `${l}\n`).join(''));
  fs.writeFileSync(path.join(dir, ops.file), body);
  const content = crypto.createHash('sha256');
  for (const l of lines) content.update(`${l}\n`);
  manifest.tables.operators = {
    ...ops,
    columns,
    bytes: body.length,
    sha256: crypto.createHash('sha256').update(body).digest('hex'),
    contentSha256: content.digest('hex'),
  };
  fs.rmSync(path.join(dir, manifest.tables.operator_identities!.file));
  delete manifest.tables.operator_identities;
  manifest.migrations = manifest.migrations.filter((m) => m !== '0010-operator-identities');
  fs.writeFileSync(manifestPath, JSON.stringify(manifest, null, 2));
}

eachDialect('restoring a backup taken before operator_identities', (h) => {
  let target: Core | undefined;
  afterAll(async () => {
    if (!target) return;
    const { sequelize } = target.models;
    if (sequelize.getDialect() === 'mysql')
      await sequelize.query(`DROP DATABASE IF EXISTS \`${sequelize.getDatabaseName()}\``);
    await sequelize.close();
  });

  it('carries the per-vendor columns over into identities, as the migration does', async () => {
    const admin = await h.actor('备份管理员', ['admin']);
    const zhang = await h.operator('张三', ['sales']);
    const li = await h.operator('李四', ['sales']);
    const backup = await takeBackup(h.core, admin, { outDir: tempDir() });
    asPre0010(
      backup.path,
      new Map([
        [zhang.id, { wecom: 'zhangsan', dingtalk: 'zs-ding' }],
        [li.id, { dingtalk: 'ls-ding' }],
      ]),
    );

    const url =
      h.dialect === 'sqlite'
        ? `sqlite:${path.join(tempDir(), 'target.sqlite')}`
        : await freshMysqlDatabase(process.env.TEST_DATABASE_URL!, '_id');
    const { STEWARD_DATA_KEY, STEWARD_INDEX_KEY, SESSION_SECRET } = h.core.config;
    target = openCore(
      testConfig(url, {
        STEWARD_DATA_KEY: STEWARD_DATA_KEY!,
        STEWARD_INDEX_KEY: STEWARD_INDEX_KEY!,
        SESSION_SECRET: SESSION_SECRET!,
      }),
      createLogger('silent'),
    );
    await prepareDatabase(target);
    await restoreBackup(target, admin, backup.path);

    expect((await operatorByIdentity(target, 'wecom', 'zhangsan'))?.displayName).toBe('张三');
    const linked = await identitiesOf(target, [zhang.id, li.id]);
    expect(linked.get(zhang.id)).toEqual([
      { channel: 'dingtalk', externalId: 'zs-ding' },
      { channel: 'wecom', externalId: 'zhangsan' },
    ]);
    expect(linked.get(li.id)).toEqual([{ channel: 'dingtalk', externalId: 'ls-ding' }]);
    expect(await target.models.OperatorIdentity.count()).toBe(3);
  });
});
