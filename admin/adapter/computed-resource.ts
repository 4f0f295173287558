import { BaseProperty, BaseRecord, BaseResource } from 'adminjs';

/**
 * A read-only back-office list whose rows core computes per request (疑似重复, 编码检查): string
 * properties, no writes (changes go through the list's own actions). Subclasses give count/find/findOne.
 */
export abstract class ComputedResource extends BaseResource {
  private readonly props: BaseProperty[];

  constructor(
    private readonly resourceId: string,
    paths: string[],
    private readonly writeHint: string,
  ) {
    super({});
    this.props = paths.map(
      (path, i) => new BaseProperty({ path, isId: path === 'id', isSortable: false, type: 'string', position: i }),
    );
  }

  override id(): string {
    return this.resourceId;
  }

  override databaseName(): string {
    return 'steward';
  }

  override databaseType(): string {
    return 'scan';
  }

  override properties(): BaseProperty[] {
    return this.props;
  }

  override property(path: string): BaseProperty | null {
    return this.props.find((p) => p.path() === path) ?? null;
  }

  override async findMany(ids: Array<string | number>): Promise<BaseRecord[]> {
    return (await Promise.all(ids.map((id) => this.findOne(String(id))))).filter((r): r is BaseRecord => r !== null);
  }

  override async create(): Promise<Record<string, unknown>> {
    throw new Error(`${this.resourceId}: rows are computed; ${this.writeHint}`);
  }

  override async update(): Promise<Record<string, unknown>> {
    throw new Error(`${this.resourceId}: ${this.writeHint}`);
  }

  override async delete(): Promise<void> {
    throw new Error(`${this.resourceId}: ${this.writeHint}`);
  }
}
