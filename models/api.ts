import {
  DataTypes,
  Model,
  type CreationOptional,
  type InferAttributes,
  type InferCreationAttributes,
  type Sequelize,
} from 'sequelize';
import { longText } from './types.js';

/** An API token: only its sha256 is stored; the token itself is shown once. */
export class ApiToken extends Model<InferAttributes<ApiToken>, InferCreationAttributes<ApiToken>> {
  declare id: CreationOptional<number>;
  declare name: string;
  declare tokenHash: string;
  /** The token's first characters, to tell tokens apart in lists. */
  declare prefix: string;
  /** Comma-separated scopes, e.g. customers:read,ledger:write. */
  declare scopes: string;
  declare expiresAt: Date | null;
  declare lastUsedAt: Date | null;
  declare revokedAt: Date | null;
  declare createdBy: string;
  declare createdAt: Date;

  static initModel(this: typeof ApiToken, sequelize: Sequelize): typeof ApiToken {
    this.init(
      {
        id: { type: DataTypes.INTEGER, autoIncrement: true, primaryKey: true },
        name: { type: DataTypes.STRING(64), allowNull: false, unique: 'api_tokens_name_unique' },
        tokenHash: { type: DataTypes.STRING(64), allowNull: false, unique: 'api_tokens_hash_unique' },
        prefix: { type: DataTypes.STRING(16), allowNull: false },
        scopes: { type: DataTypes.STRING(255), allowNull: false },
        expiresAt: { type: DataTypes.DATE, allowNull: true },
        lastUsedAt: { type: DataTypes.DATE, allowNull: true },
        revokedAt: { type: DataTypes.DATE, allowNull: true },
        createdBy: { type: DataTypes.STRING(100), allowNull: false },
        createdAt: { type: DataTypes.DATE, allowNull: false },
      },
      { sequelize, tableName: 'api_tokens', modelName: 'ApiToken', timestamps: false },
    );
    return this;
  }
}

/** A stored answer to an Idempotency-Key, kept 24 h so a retry on any instance gets it back. */
export class ApiIdempotency extends Model<InferAttributes<ApiIdempotency>, InferCreationAttributes<ApiIdempotency>> {
  declare id: CreationOptional<number>;
  declare tokenId: number;
  declare idemKey: string;
  declare method: string;
  declare path: string;
  /** sha256 of method, path and raw body: the same key with another body is refused. */
  declare requestHash: string;
  declare state: 'processing' | 'done';
  declare status: number | null;
  declare response: string | null;
  declare createdAt: Date;
  declare expiresAt: Date;

  static initModel(this: typeof ApiIdempotency, sequelize: Sequelize): typeof ApiIdempotency {
    this.init(
      {
        id: { type: DataTypes.INTEGER, autoIncrement: true, primaryKey: true },
        tokenId: { type: DataTypes.INTEGER, allowNull: false },
        idemKey: { type: DataTypes.STRING(191), allowNull: false },
        method: { type: DataTypes.STRING(8), allowNull: false },
        path: { type: DataTypes.STRING(191), allowNull: false },
        requestHash: { type: DataTypes.STRING(64), allowNull: false },
        state: { type: DataTypes.STRING(12), allowNull: false },
        status: { type: DataTypes.INTEGER, allowNull: true },
        response: { type: longText(sequelize), allowNull: true },
        createdAt: { type: DataTypes.DATE, allowNull: false },
        expiresAt: { type: DataTypes.DATE, allowNull: false },
      },
      {
        sequelize,
        tableName: 'api_idempotency',
        modelName: 'ApiIdempotency',
        timestamps: false,
        indexes: [{ unique: true, name: 'api_idempotency_key_unique', fields: ['token_id', 'idem_key'] }],
      },
    );
    return this;
  }
}

/** Where lifecycle events are posted. The signing secret is stored encrypted with STEWARD_DATA_KEY. */
export class WebhookSubscription extends Model<
  InferAttributes<WebhookSubscription>,
  InferCreationAttributes<WebhookSubscription>
> {
  declare id: CreationOptional<number>;
  declare url: string;
  /** Comma-separated event types, or * for all. */
  declare events: string;
  declare secretEnc: string;
  declare active: CreationOptional<boolean>;
  declare createdBy: string;
  declare createdAt: CreationOptional<Date>;
  declare updatedAt: CreationOptional<Date>;

  static initModel(this: typeof WebhookSubscription, sequelize: Sequelize): typeof WebhookSubscription {
    this.init(
      {
        id: { type: DataTypes.INTEGER, autoIncrement: true, primaryKey: true },
        url: { type: DataTypes.STRING(500), allowNull: false },
        events: { type: DataTypes.STRING(500), allowNull: false },
        secretEnc: { type: DataTypes.TEXT, allowNull: false },
        active: { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: true },
        createdBy: { type: DataTypes.STRING(100), allowNull: false },
        createdAt: DataTypes.DATE,
        updatedAt: DataTypes.DATE,
      },
      { sequelize, tableName: 'webhook_subscriptions', modelName: 'WebhookSubscription' },
    );
    return this;
  }
}

/** One delivery attempt of a webhook outbox row: the delivery log. */
export class WebhookAttempt extends Model<InferAttributes<WebhookAttempt>, InferCreationAttributes<WebhookAttempt>> {
  declare id: CreationOptional<number>;
  declare outboxId: number;
  declare subscriptionId: number;
  declare at: Date;
  declare httpStatus: number | null;
  declare ms: number;
  declare error: string | null;

  static initModel(this: typeof WebhookAttempt, sequelize: Sequelize): typeof WebhookAttempt {
    this.init(
      {
        id: { type: DataTypes.INTEGER, autoIncrement: true, primaryKey: true },
        outboxId: { type: DataTypes.INTEGER, allowNull: false },
        subscriptionId: { type: DataTypes.INTEGER, allowNull: false },
        at: { type: DataTypes.DATE, allowNull: false },
        httpStatus: { type: DataTypes.INTEGER, allowNull: true },
        ms: { type: DataTypes.INTEGER, allowNull: false },
        error: { type: DataTypes.STRING(500), allowNull: true },
      },
      { sequelize, tableName: 'webhook_attempts', modelName: 'WebhookAttempt', timestamps: false },
    );
    return this;
  }
}
