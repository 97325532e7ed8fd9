/**
 * The widget's texts: `t(key, vars)` reads the dictionary in force (English, the customer's
 * language once loaded, then the site's overrides). capture.js owns the table and hands the
 * same object to collab.js, so both bundles always agree.
 */
import type { TextKey } from './i18n/en.ts';

let table: Record<string, string> = {};

export function useTexts(texts: Record<string, string>): void {
  table = texts;
}

/**
 * @example
 *   t('controlTitle', { name: 'Ann' }) // "Ann wants to control this tab"
 */
export function t(key: TextKey, vars?: Record<string, string | number>): string {
  const text = table[key] ?? key;
  return vars ? text.replace(/\{(\w+)\}/g, (whole, name: string) => (name in vars ? String(vars[name]) : whole)) : text;
}
