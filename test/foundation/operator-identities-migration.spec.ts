import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { QueryTypes } from 'sequelize';
import { openCore, prepareDatabase } from '../../core/boot.js';
import type { Core } from '../../core/context.js';
import { createLogger } from '../../core/logger.js';
import { identitiesOf, operatorByIdentity } from '../../core/operators.js';
import { migrator } from '../../migrations/migrate.js';
import { testConfig, testDialects, type DialectTarget } from '../helpers/db.js';

let core: Core;
const ids: Record<string, number> = {};
const select = <T extends object>(sql: string) => core.models.sequelize.query<T>(sql, { type: QueryTypes.SELECT });

/**
 * A database at 0009 (per-vendor columns), with operators as a real installation has them, then
 * migrated to the latest (0010 and on): the tests check what 0010 made of them, in any order.
 */
function setupMigratedFrom0009(target: DialectTarget): void {
  beforeAll(async () => {
    const config = testConfig(await target.url());
    core = openCore(config, createLogger('silent'));
    await migrator(core.models.sequelize).up({ to: '0009-jsherp' });
    const rows: [string, string | null, string | null, boolean][] = [
      ['张三', 'zhangsan', 'zs-ding', true],
      ['李四', 'lisi', null, true],
      ['王五', null, 'ww-ding', true],
      ['赵六', null, null, true],
      ['钱七', 'qianqi', '', false],
    ];
    for (const [name, wecom, dingtalk, active] of rows) {
      await core.models.sequelize.query(
        'INSERT INTO operators (display_name, roles, wecom_user_id, dingtalk_user_id, email, password_hash, active, created_at, updated_at) VALUES (?, ?, ?, ?, ?, NULL, ?, ?, ?)',
        {
          replacements: [
            name,
            'sales',
            wecom,
            dingtalk,
            `${wecom ?? dingtalk ?? name.codePointAt(0)}@old.local`,
            active,
            new Date(),
            new Date(),
          ],
        },
      );
      ids[name] = (await select<{ id: number }>(`SELECT id FROM operators WHERE display_name = '${name}'`))[0]!.id;
    }
    await prepareDatabase(core);
  });
  afterAll(async () => {
    if (!core) return;
    const { sequelize } = core.models;
    if (sequelize.getDialect() === 'mysql')
      await sequelize.query(`DROP DATABASE IF EXISTS \`${sequelize.getDatabaseName()}\``).catch(() => undefined);
    await sequelize.close();
  });
}

for (const target of testDialects()) {
  describe(`migration 0010-operator-identities [${target.name}]`, () => {
    // One database: the setup runs the migration; each test checks what it left (the last one goes down and up again).
    setupMigratedFrom0009(target);
    carryOverAndDrop();
    constraintsAndDown();
  });
}

/** What the migration did: ids carried over, per-vendor columns and their indexes gone. */
function carryOverAndDrop(): void {
  it('carries every WeCom and DingTalk id over, then drops the per-vendor columns and their indexes', async () => {
    const linked = await identitiesOf(core, Object.values(ids));
    expect(linked.get(ids['张三']!)).toEqual([
      { channel: 'dingtalk', externalId: 'zs-ding' },
      { channel: 'wecom', externalId: 'zhangsan' },
    ]);
    expect(linked.get(ids['李四']!)).toEqual([{ channel: 'wecom', externalId: 'lisi' }]);
    expect(linked.get(ids['王五']!)).toEqual([{ channel: 'dingtalk', externalId: 'ww-ding' }]);
    expect(linked.get(ids['赵六']!)).toBeUndefined();
    // An empty string was never an account.
    expect(linked.get(ids['钱七']!)).toEqual([{ channel: 'wecom', externalId: 'qianqi' }]);
    expect(await core.models.OperatorIdentity.count()).toBe(5);
    expect((await operatorByIdentity(core, 'wecom', 'zhangsan'))?.displayName).toBe('张三');
    expect(await operatorByIdentity(core, 'wecom', 'qianqi')).toBeNull();

    const qi = core.models.sequelize.getQueryInterface();
    const columns = Object.keys(await qi.describeTable('operators'));
    expect(columns).not.toContain('wecom_user_id');
    expect(columns).not.toContain('dingtalk_user_id');
    const indexes = (await qi.showIndex('operators')) as { name: string; unique: boolean }[];
    expect(indexes.map((i) => i.name)).not.toContain('operators_wecom_unique');
    // Dropping the columns in place kept the table's other indexes.
    expect(indexes.find((i) => i.name === 'operators_email_unique')?.unique).toBe(true);
    const idx = (await qi.showIndex('operator_identities')) as {
      name: string;
      unique: boolean;
      fields: { attribute: string }[];
    }[];
    expect(
      idx
        .filter((i) => i.unique)
        .map((i) => `${i.name}(${i.fields.map((f) => f.attribute).join(',')})`)
        .sort(),
    ).toEqual(
      expect.arrayContaining([
        'operator_identities_channel_external(channel,external_id)',
        'operator_identities_operator_channel(operator_id,channel)',
      ]),
    );
  });
}

/** The new table's constraints, and the way back (down, then up again). */
function constraintsAndDown(): void {
  it('enforces one operator per account and one account per channel in the database itself', async () => {
    const { OperatorIdentity } = core.models;
    await expect(
      OperatorIdentity.create({ operatorId: ids['赵六']!, channel: 'wecom', externalId: 'zhangsan' }),
    ).rejects.toThrow();
    await expect(
      OperatorIdentity.create({ operatorId: ids['张三']!, channel: 'wecom', externalId: 'zhangsan-2' }),
    ).rejects.toThrow();
    await expect(
      OperatorIdentity.create({ operatorId: 987654, channel: 'feishu', externalId: 'ghost' }),
    ).rejects.toThrow();
  });

  it('down() puts the ids back into the columns, and up() again carries them over once more', async () => {
    await core.models.OperatorIdentity.create({ operatorId: ids['赵六']!, channel: 'feishu', externalId: 'ou_zhao' });
    await migrator(core.models.sequelize).down({ to: '0010-operator-identities' });
    const rows = await select<{
      display_name: string;
      wecom_user_id: string | null;
      dingtalk_user_id: string | null;
    }>('SELECT display_name, wecom_user_id, dingtalk_user_id FROM operators ORDER BY id');
    expect(rows.map((r) => [r.display_name, r.wecom_user_id, r.dingtalk_user_id])).toEqual([
      ['张三', 'zhangsan', 'zs-ding'],
      ['李四', 'lisi', null],
      ['王五', null, 'ww-ding'],
      ['赵六', null, null],
      ['钱七', 'qianqi', null],
    ]);
    const tables = (await core.models.sequelize.getQueryInterface().showAllTables()).map((t) =>
      typeof t === 'string' ? t : (t as { tableName: string }).tableName,
    );
    expect(tables).not.toContain('operator_identities');
    await prepareDatabase(core);
    expect(await core.models.OperatorIdentity.count()).toBe(5);
    expect((await operatorByIdentity(core, 'dingtalk', 'ww-ding'))?.displayName).toBe('王五');
  });
}
