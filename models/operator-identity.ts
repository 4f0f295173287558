import {
  DataTypes,
  Model,
  type CreationOptional,
  type InferAttributes,
  type InferCreationAttributes,
  type Sequelize,
} from 'sequelize';

/** Who an operator is on one chat channel: one external id per channel, one operator per external id. */
export class OperatorIdentity extends Model<
  InferAttributes<OperatorIdentity>,
  InferCreationAttributes<OperatorIdentity>
> {
  declare id: CreationOptional<number>;
  declare operatorId: number;
  /** The channel id (bot/channels/<id>), e.g. wecom, dingtalk, feishu. */
  declare channel: string;
  /** The user's id on that channel (WeCom userid, DingTalk staffId, Feishu open_id...). */
  declare externalId: string;
  declare createdAt: CreationOptional<Date>;

  static initModel(this: typeof OperatorIdentity, sequelize: Sequelize): typeof OperatorIdentity {
    this.init(
      {
        id: { type: DataTypes.INTEGER, autoIncrement: true, primaryKey: true },
        operatorId: { type: DataTypes.INTEGER, allowNull: false, unique: 'operator_identities_operator_channel' },
        channel: { type: DataTypes.STRING(32), allowNull: false, unique: 'operator_identities_channel_external' },
        externalId: { type: DataTypes.STRING(128), allowNull: false, unique: 'operator_identities_channel_external' },
        createdAt: DataTypes.DATE,
      },
      { sequelize, tableName: 'operator_identities', modelName: 'OperatorIdentity', updatedAt: false },
    );
    return this;
  }
}
