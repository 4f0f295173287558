import type { Locale, LocaleTranslations } from 'adminjs';

type Block = NonNullable<LocaleTranslations['resources']>[string];
import { baseTranslations } from './base.js';
import { resourceTranslations } from './resources.js';
import { jsherpLabels, jsherpTranslations } from '../resources/jsherp.resource.js';
import { duplicatesLabels, duplicatesTranslations } from '../resources/duplicates.resource.js';
import { codeReportLabels, codeReportTranslations } from '../resources/code-report.resource.js';
import { listEntryLabels, listEntryTranslations } from '../resources/list-entry.resource.js';
import { reportPageTitles } from '../reports/pages.js';
import { mergeLabels, mergeTranslations } from '../resources/merge.resource.js';

const labels = {
  ...baseTranslations.labels,
  ...jsherpLabels,
  ...duplicatesLabels,
  ...codeReportLabels,
  ...listEntryLabels,
  ...mergeLabels,
} as Record<string, unknown>;
const resources: Record<string, Block> = {
  ...resourceTranslations,
  ...jsherpTranslations,
  ...duplicatesTranslations,
  ...codeReportTranslations,
  ...listEntryTranslations,
  ...mergeTranslations,
};

/**
 * Each list's heading names the list (「客户列表」, not AdminJS's bare 「列表」): AdminJS titles a
 * list page with resources.<id>.actions.list before the shared actions.list.
 */
function listTitles(resourceIds: string[]): Record<string, Block> {
  const out = { ...resources };
  for (const id of resourceIds) {
    const name = labels[id];
    if (typeof name !== 'string') continue;
    const own = out[id] ?? {};
    out[id] = { ...own, actions: { list: `${name}列表`, ...(own.actions as Record<string, string> | undefined) } };
  }
  return out;
}

/** The back office in Simplified Chinese only; `resourceIds` get list headings that name them. */
export function localeFor(resourceIds: string[]): Locale {
  return {
    language: 'zh-CN',
    availableLanguages: ['zh-CN'],
    localeDetection: false,
    translations: {
      'zh-CN': { ...baseTranslations, pages: reportPageTitles, labels, resources: listTitles(resourceIds) },
    },
  };
}
