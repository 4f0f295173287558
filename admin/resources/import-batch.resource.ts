import type { Core } from '../../core/context.js';
import type { ImportBatch } from '../../models/index.js';
import { StewardResource, exactRule, rangeRule } from '../adapter/steward-resource.js';
import { importFileAction, outcomeSummary, undoImportAction } from '../actions/imports.js';
import {
  customerBatchesOnly,
  importLedgerAction,
  ledgerOutcomes,
  mayReadBatches,
  undoLedgerImportAction,
} from '../actions/ledger-imports.js';
import { readOnly } from '../features/permissions.js';

const STATUS = [
  { value: 'committed', label: '已导入' },
  { value: 'undone', label: '已撤销' },
];
const KIND = [
  { value: 'customers', label: '客户' },
  { value: 'orders', label: '订单' },
  { value: 'receivables', label: '应收款' },
];
const MODE = [
  { value: 'all', label: '全部导入 (有错则不写)' },
  { value: 'partial', label: '只导入有效行' },
];
const readOnlyProp = (list: boolean) => ({
  isVisible: { list, show: true, edit: false, filter: false },
  isSortable: false,
});

/** Import batches, with a short hash for the list. */
function importBatchAdapter(core: Core): StewardResource<ImportBatch> {
  return new StewardResource<ImportBatch>(core.models.ImportBatch, {
    filters: { status: exactRule('status'), kind: exactRule('kind'), createdAt: rangeRule('createdAt') },
    sorts: { id: 'id', createdAt: 'createdAt' },
    defaultSort: ['id', 'DESC'],
    toParams: (row) => {
      const plain = row.get({ plain: true }) as Record<string, unknown>;
      return { ...plain, sha256Short: row.sha256.slice(0, 12) };
    },
  });
}

/** The batch page, with per-row outcome counts read from import_rows for the one record shown. */
function showWithOutcomes(core: Core) {
  return {
    isAccessible: mayReadBatches,
    isVisible: mayReadBatches,
    after: async (response: { record?: { id: string; params: Record<string, unknown> } }) => {
      if (response.record)
        response.record.params.outcomes =
          ledgerOutcomes(response.record.params) ?? (await outcomeSummary(core, Number(response.record.id)));
      return response;
    },
  };
}

/** Which columns the list and the batch page show. */
const LAYOUT = {
  listProperties: [
    'id',
    'kind',
    'fileName',
    'sha256Short',
    'createdCount',
    'updatedCount',
    'unchangedCount',
    'errorCount',
    'operatorName',
    'status',
    'createdAt',
  ],
  showProperties: [
    'id',
    'kind',
    'fileName',
    'sha256',
    'sheet',
    'mode',
    'operatorName',
    'door',
    'status',
    'outcomes',
    'totalRows',
    'createdCount',
    'updatedCount',
    'unchangedCount',
    'skippedCount',
    'errorCount',
    'createdAt',
    'undoneAt',
    'undoneBy',
  ],
};

/** 导入批次: every committed import, with 导入客户 (dry run, then confirm) and 撤销导入, all through core. */
export function importBatchResource(core: Core) {
  return {
    resource: importBatchAdapter(core),
    options: {
      id: 'import_batches',
      navigation: { name: 'system', icon: 'Upload' },
      sort: { sortBy: 'id', direction: 'desc' as const },
      ...LAYOUT,
      filterProperties: ['status', 'kind', 'createdAt'],
      properties: {
        status: { availableValues: STATUS },
        kind: { availableValues: KIND },
        mode: { availableValues: MODE },
        sha256Short: { type: 'string' as const, ...readOnlyProp(true) },
        outcomes: { type: 'string' as const, ...readOnlyProp(false) },
      },
      actions: {
        ...readOnly('import'),
        // Finance imports receivables: whoever may import any kind reads the batches.
        list: { isAccessible: mayReadBatches, isVisible: mayReadBatches },
        search: { isAccessible: mayReadBatches },
        show: showWithOutcomes(core),
        importFile: importFileAction(core),
        undoImport: customerBatchesOnly(undoImportAction(core)),
        importLedger: importLedgerAction(core),
        undoLedgerImport: undoLedgerImportAction(core),
      },
    },
  };
}
