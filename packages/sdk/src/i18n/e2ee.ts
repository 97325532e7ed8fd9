/**
 * The texts of end-to-end encryption's dialogs in the widget's four languages. They travel in
 * e2ee.js (loaded only on encrypted sites), so the other bundles pay nothing for them; the site's
 * theme overrides them by key like every other text.
 */
export const EN_E2EE = {
  e2eeVerifyTitle: 'Does {name} read you this code: {code}?',
  e2eeVerifyBody: 'Answer “It matches” only if these are the digits {name} reads to you on the call. Nothing on this page is shared with {name} until then.',
  e2eeMatch: 'It matches',
  e2eeNoMatch: 'It doesn’t match',
  e2eeMismatch: 'The codes did not match. This connection may be intercepted. Nothing was shared with {name}.',
  e2eeVerified: 'Code confirmed: {name} can now see this tab, end-to-end encrypted.',
  e2eeVouched: '{voucher} confirmed {name}: {name} can now see this tab, end-to-end encrypted.',
  e2eeClose: 'Close',
};
export type E2eeTextKey = keyof typeof EN_E2EE;

const FR: Record<E2eeTextKey, string> = {
  e2eeVerifyTitle: '{name} vous lit-il ce code : {code} ?',
  e2eeVerifyBody: 'Répondez « Il correspond » seulement si ce sont les chiffres que {name} vous lit pendant l’appel. Rien de cette page n’est partagé avec {name} avant cela.',
  e2eeMatch: 'Il correspond',
  e2eeNoMatch: 'Il ne correspond pas',
  e2eeMismatch: 'Les codes ne correspondent pas. Cette connexion est peut-être interceptée. Rien n’a été partagé avec {name}.',
  e2eeVerified: 'Code confirmé : {name} peut maintenant voir cet onglet, chiffré de bout en bout.',
  e2eeVouched: '{voucher} a confirmé {name} : {name} peut maintenant voir cet onglet, chiffré de bout en bout.',
  e2eeClose: 'Fermer',
};
const DE: Record<E2eeTextKey, string> = {
  e2eeVerifyTitle: 'Liest {name} Ihnen diesen Code vor: {code}?',
  e2eeVerifyBody: 'Antworten Sie nur dann mit „Stimmt überein“, wenn {name} Ihnen im Gespräch genau diese Ziffern vorliest. Bis dahin wird nichts von dieser Seite mit {name} geteilt.',
  e2eeMatch: 'Stimmt überein',
  e2eeNoMatch: 'Stimmt nicht überein',
  e2eeMismatch: 'Die Codes stimmen nicht überein. Diese Verbindung wird möglicherweise abgefangen. Es wurde nichts mit {name} geteilt.',
  e2eeVerified: 'Code bestätigt: {name} sieht diesen Tab jetzt, Ende-zu-Ende-verschlüsselt.',
  e2eeVouched: '{voucher} hat {name} bestätigt: {name} sieht diesen Tab jetzt, Ende-zu-Ende-verschlüsselt.',
  e2eeClose: 'Schließen',
};
const ES: Record<E2eeTextKey, string> = {
  e2eeVerifyTitle: '¿{name} le lee este código: {code}?',
  e2eeVerifyBody: 'Responda «Coincide» solo si son los dígitos que {name} le lee en la llamada. Hasta entonces no se comparte nada de esta página con {name}.',
  e2eeMatch: 'Coincide',
  e2eeNoMatch: 'No coincide',
  e2eeMismatch: 'Los códigos no coinciden. Es posible que esta conexión esté interceptada. No se ha compartido nada con {name}.',
  e2eeVerified: 'Código confirmado: {name} ya puede ver esta pestaña, cifrada de extremo a extremo.',
  e2eeVouched: '{voucher} ha confirmado a {name}: {name} ya puede ver esta pestaña, cifrada de extremo a extremo.',
  e2eeClose: 'Cerrar',
};
const LANGS: Record<string, Record<E2eeTextKey, string>> = { fr: FR, de: DE, es: ES };

/** The defaults in the customer's language (the site's overrides still win, capture.ts). */
export function e2eeTexts(lang: string): Record<E2eeTextKey, string> {
  return { ...EN_E2EE, ...LANGS[lang] };
}
