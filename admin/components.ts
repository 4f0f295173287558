import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ComponentLoader } from 'adminjs';

/**
 * The React components' folder: kept out of tsc, bundled by AdminJS, found from this file. The
 * build (dist/admin/components.js) uses the sources' folder, so both runs share one bundle.
 */
const besideThis = new URL('./components/', import.meta.url);
export const COMPONENTS_DIR = fileURLToPath(
  fs.existsSync(besideThis) ? besideThis : new URL('../../admin/components/', import.meta.url),
);

const FILES = {
  Dashboard: 'Dashboard.tsx',
  DeactivateAction: 'DeactivateAction.tsx',
  DeletionRequestAction: 'DeletionRequestAction.tsx',
  RevealAction: 'RevealAction.tsx',
  ConfirmAction: 'ConfirmAction.tsx',
  ImportAction: 'ImportAction.tsx',
  LedgerImportAction: 'LedgerImportAction.tsx',
  UndoImportAction: 'UndoImportAction.tsx',
  ExportAction: 'ExportAction.tsx',
  BackupHelp: 'BackupHelp.tsx',
  IdentityAction: 'IdentityAction.tsx',
  RowsTable: 'RowsTable.tsx',
  RolesEdit: 'RolesEdit.tsx',
  BackupPanel: 'BackupPanel.tsx',
  BackupDownload: 'BackupDownload.tsx',
  CustomerStory: 'CustomerStory.tsx',
  StatusBadge: 'StatusBadge.tsx',
  RecodeAction: 'RecodeAction.tsx',
  MergeCompareAction: 'MergeCompareAction.tsx',
  SalesReport: 'SalesReport.tsx',
  AgingReport: 'AgingReport.tsx',
  CustomerReport: 'CustomerReport.tsx',
  ListSelect: 'ListSelect.tsx',
} as const;

export type ComponentName = keyof typeof FILES;

/** Component ids to use in resource options (the loader registers the same names). */
export const COMPONENTS = Object.fromEntries(Object.keys(FILES).map((k) => [k, k])) as { [K in ComponentName]: K };

/** A loader with every custom component registered under its name. */
export function componentLoader(): ComponentLoader {
  const loader = new ComponentLoader();
  for (const [name, file] of Object.entries(FILES)) loader.add(name, path.join(COMPONENTS_DIR, file));
  // AdminJS's own date cells, replaced so that times show in STEWARD_TIMEZONE (see local-time.ts).
  loader.override('DefaultDatetimeListProperty', path.join(COMPONENTS_DIR, 'LocalDatetimeList.tsx'));
  loader.override('DefaultDatetimeShowProperty', path.join(COMPONENTS_DIR, 'LocalDatetimeShow.tsx'));
  return loader;
}

/** Every file in the components folder (helpers too), for the dev-mode check that the bundle is not stale. */
export function componentFiles(): string[] {
  return fs
    .readdirSync(COMPONENTS_DIR)
    .filter((f) => /\.(tsx?|jsx?)$/.test(f))
    .map((f) => path.join(COMPONENTS_DIR, f));
}
