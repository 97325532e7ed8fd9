import { en, type Messages } from './en.ts';

const catalogues: Record<string, Messages> = { en };

function pickLanguage(): Messages {
  const wanted = typeof navigator === 'undefined' ? [] : navigator.languages;
  for (const tag of wanted) {
    const found = catalogues[tag.split('-')[0] ?? ''];
    if (found) return found;
  }
  return en;
}

/** The console's text in the browser's language (English when none matches). */
export const t: Messages = pickLanguage();
