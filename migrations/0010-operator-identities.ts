import { DataTypes, QueryTypes, type QueryInterface } from 'sequelize';
import type { Migration } from './types.js';

/** The per-vendor columns this migration replaces, with the channel id each one becomes. */
const CARRIED = [
  ['wecom_user_id', 'wecom', 'operators_wecom_unique'],
  ['dingtalk_user_id', 'dingtalk', 'operators_dingtalk_unique'],
] as const;

/**
 * SQLite's removeColumn (as Sequelize does it) rebuilds the table: that would drop operators'
 * other indexes and, with foreign keys on, cascade-delete the identity rows just copied. SQLite
 * 3.35+ and MariaDB both drop an unindexed column in place, so drop the index first, then the column.
 */
async function dropColumn(qi: QueryInterface, table: string, column: string): Promise<void> {
  await qi.sequelize.query(`ALTER TABLE ${qi.quoteIdentifier(table)} DROP COLUMN ${qi.quoteIdentifier(column)}`);
}

/**
 * Chat accounts move from one column per vendor on `operators` to `operator_identities`
 * (operator, channel, external id), so a new messenger needs no schema change. Existing WeCom and
 * DingTalk ids are carried over.
 */
export const operatorIdentities: Migration = {
  name: '0010-operator-identities',
  async up({ context: qi }) {
    await qi.createTable('operator_identities', {
      id: { type: DataTypes.INTEGER, autoIncrement: true, primaryKey: true, allowNull: false },
      operator_id: {
        type: DataTypes.INTEGER,
        allowNull: false,
        references: { model: 'operators', key: 'id' },
        onDelete: 'CASCADE',
        onUpdate: 'CASCADE',
      },
      channel: { type: DataTypes.STRING(32), allowNull: false },
      external_id: { type: DataTypes.STRING(128), allowNull: false },
      created_at: { type: DataTypes.DATE, allowNull: false },
    });
    await qi.addIndex('operator_identities', ['channel', 'external_id'], {
      unique: true,
      name: 'operator_identities_channel_external',
    });
    await qi.addIndex('operator_identities', ['operator_id', 'channel'], {
      unique: true,
      name: 'operator_identities_operator_channel',
    });
    const now = new Date();
    for (const [column, channel, index] of CARRIED) {
      // The old unique index guarantees one operator per id, so the copy cannot collide.
      await qi.sequelize.query(
        `INSERT INTO operator_identities (operator_id, channel, external_id, created_at)
         SELECT id, :channel, ${column}, :now FROM operators WHERE ${column} IS NOT NULL AND ${column} <> ''`,
        { replacements: { channel, now }, type: QueryTypes.INSERT },
      );
      await qi.removeIndex('operators', index);
      await dropColumn(qi, 'operators', column);
    }
  },
  async down({ context: qi }) {
    for (const [column, channel, index] of CARRIED) {
      await qi.addColumn('operators', column, { type: DataTypes.STRING(64), allowNull: true });
      // Ids longer than the old columns held, and channels without a column (feishu...), are lost.
      await qi.sequelize.query(
        `UPDATE operators SET ${column} = (SELECT i.external_id FROM operator_identities i WHERE i.operator_id = operators.id AND i.channel = :channel AND LENGTH(i.external_id) <= 64)`,
        { replacements: { channel } },
      );
      await qi.addIndex('operators', [column], { unique: true, name: index });
    }
    await qi.dropTable('operator_identities');
  },
};
