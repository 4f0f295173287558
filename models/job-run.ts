import {
  DataTypes,
  Model,
  type CreationOptional,
  type InferAttributes,
  type InferCreationAttributes,
  type Sequelize,
} from 'sequelize';
import { longText } from './types.js';

export const JOB_RUN_STATUSES = ['running', 'succeeded', 'failed', 'skipped'] as const;
export type JobRunStatus = (typeof JOB_RUN_STATUSES)[number];

/**
 * One run of a scheduled job. The unique (job, slot) pair is the claim: the instance whose
 * INSERT succeeds runs that slot, every other instance gets a unique violation and stands down.
 */
export class JobRun extends Model<InferAttributes<JobRun>, InferCreationAttributes<JobRun>> {
  declare id: CreationOptional<number>;
  declare job: string;
  /** The planned time as UTC ISO (`2026-11-30T01:00:00Z`) for scheduled runs; `manual:<uuid>` for hand runs. */
  declare slot: string;
  declare trigger: 'schedule' | 'manual';
  declare dryRun: boolean;
  /** host:pid of the instance that claimed the slot. */
  declare instance: string;
  declare status: JobRunStatus;
  declare startedAt: Date;
  declare finishedAt: Date | null;
  /** One Chinese line for the back office and the admin chat. */
  declare summary: string | null;
  /** JSON with the figures behind the summary. */
  declare detail: string | null;

  static initModel(this: typeof JobRun, sequelize: Sequelize): typeof JobRun {
    this.init(
      {
        id: { type: DataTypes.INTEGER, autoIncrement: true, primaryKey: true },
        job: { type: DataTypes.STRING(40), allowNull: false },
        slot: { type: DataTypes.STRING(64), allowNull: false },
        trigger: { type: DataTypes.STRING(16), allowNull: false },
        dryRun: { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: false },
        instance: { type: DataTypes.STRING(100), allowNull: false },
        status: { type: DataTypes.STRING(16), allowNull: false },
        startedAt: { type: DataTypes.DATE, allowNull: false },
        finishedAt: { type: DataTypes.DATE, allowNull: true },
        summary: { type: DataTypes.STRING(1000), allowNull: true },
        detail: { type: longText(sequelize), allowNull: true },
      },
      { sequelize, tableName: 'job_runs', modelName: 'JobRun', timestamps: false },
    );
    return this;
  }
}
