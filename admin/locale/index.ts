import type { Locale } from 'adminjs';
import { baseTranslations } from './base.js';
import { resourceTranslations } from './resources.js';
import { jsherpLabels, jsherpTranslations } from '../resources/jsherp.resource.js';
import { duplicatesLabels, duplicatesTranslations } from '../resources/duplicates.resource.js';
import { codeReportLabels, codeReportTranslations } from '../resources/code-report.resource.js';
import { listEntryLabels, listEntryTranslations } from '../resources/list-entry.resource.js';
import { mergeLabels, mergeTranslations } from '../resources/merge.resource.js';

/** The back office in Simplified Chinese only. */
export const locale: Locale = {
  language: 'zh-CN',
  availableLanguages: ['zh-CN'],
  localeDetection: false,
  translations: { 'zh-CN': { ...baseTranslations, labels: { ...baseTranslations.labels, ...jsherpLabels, ...duplicatesLabels, ...codeReportLabels, ...listEntryLabels, ...mergeLabels }, resources: { ...resourceTranslations, ...jsherpTranslations, ...duplicatesTranslations, ...codeReportTranslations, ...listEntryTranslations, ...mergeTranslations } } },
};
