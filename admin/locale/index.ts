import type { Locale } from 'adminjs';
import { baseTranslations } from './base.js';
import { resourceTranslations } from './resources.js';

/** The back office in Simplified Chinese only. */
export const locale: Locale = {
  language: 'zh-CN',
  availableLanguages: ['zh-CN'],
  localeDetection: false,
  translations: { 'zh-CN': { ...baseTranslations, resources: resourceTranslations } },
};
