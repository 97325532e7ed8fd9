/**
 * The texts of "Leave a message" (followup.js), in the four languages of the widget. They are
 * few, so all four ship inside followup.js. Sites replace any of them by key with the theme's
 * `text`, like the widget's other texts. {name} is filled in by the SDK, as text, never markup.
 */
const EN = {
  leaveMessage: 'Leave a message',
  followupTitle: 'Leave us a message',
  followupHint: 'Nobody can help live right now. Write to us and we will reply here on your next visit.',
  followupMessage: 'Your message',
  followupName: 'Your name (optional)',
  followupEmail: 'Email (optional)',
  followupAttach: 'Attach a snapshot of this page',
  followupAttachHint: 'Passwords, card numbers and hidden parts of the page are never included.',
  followupSend: 'Send',
  followupSending: 'Sending…',
  followupCancel: 'Cancel',
  followupSent: 'Thank you! We will reply here on your next visit.',
  followupFailed: 'Your message could not be sent. Please try again later.',
  followupReplyFrom: 'Reply from {name}',
  followupTeam: 'the team',
  followupYouWrote: 'You wrote:',
  followupStartLive: 'Start a live session',
  followupClose: 'Close',
};

export type FollowupTextKey = keyof typeof EN;

const FR: Record<FollowupTextKey, string> = {
  leaveMessage: 'Laisser un message',
  followupTitle: 'Laissez-nous un message',
  followupHint: 'Personne n’est disponible pour le moment. Écrivez-nous : nous vous répondrons ici lors de votre prochaine visite.',
  followupMessage: 'Votre message',
  followupName: 'Votre nom (facultatif)',
  followupEmail: 'E-mail (facultatif)',
  followupAttach: 'Joindre une capture de cette page',
  followupAttachHint: 'Les mots de passe, les numéros de carte et les parties masquées de la page ne sont jamais inclus.',
  followupSend: 'Envoyer',
  followupSending: 'Envoi…',
  followupCancel: 'Annuler',
  followupSent: 'Merci ! Nous vous répondrons ici lors de votre prochaine visite.',
  followupFailed: 'Votre message n’a pas pu être envoyé. Veuillez réessayer plus tard.',
  followupReplyFrom: 'Réponse de {name}',
  followupTeam: 'l’équipe',
  followupYouWrote: 'Vous avez écrit :',
  followupStartLive: 'Démarrer une session en direct',
  followupClose: 'Fermer',
};

const DE: Record<FollowupTextKey, string> = {
  leaveMessage: 'Nachricht hinterlassen',
  followupTitle: 'Hinterlassen Sie uns eine Nachricht',
  followupHint: 'Gerade ist niemand für Sie da. Schreiben Sie uns, wir antworten hier bei Ihrem nächsten Besuch.',
  followupMessage: 'Ihre Nachricht',
  followupName: 'Ihr Name (optional)',
  followupEmail: 'E-Mail (optional)',
  followupAttach: 'Momentaufnahme dieser Seite anhängen',
  followupAttachHint: 'Passwörter, Kartennummern und ausgeblendete Teile der Seite werden nie mitgeschickt.',
  followupSend: 'Senden',
  followupSending: 'Wird gesendet…',
  followupCancel: 'Abbrechen',
  followupSent: 'Danke! Wir antworten hier bei Ihrem nächsten Besuch.',
  followupFailed: 'Ihre Nachricht konnte nicht gesendet werden. Bitte versuchen Sie es später noch einmal.',
  followupReplyFrom: 'Antwort von {name}',
  followupTeam: 'unserem Team',
  followupYouWrote: 'Sie schrieben:',
  followupStartLive: 'Live-Sitzung starten',
  followupClose: 'Schließen',
};

const ES: Record<FollowupTextKey, string> = {
  leaveMessage: 'Dejar un mensaje',
  followupTitle: 'Déjanos un mensaje',
  followupHint: 'Ahora mismo no hay nadie disponible. Escríbenos y te responderemos aquí en tu próxima visita.',
  followupMessage: 'Tu mensaje',
  followupName: 'Tu nombre (opcional)',
  followupEmail: 'Correo electrónico (opcional)',
  followupAttach: 'Adjuntar una captura de esta página',
  followupAttachHint: 'Las contraseñas, los números de tarjeta y las partes ocultas de la página nunca se incluyen.',
  followupSend: 'Enviar',
  followupSending: 'Enviando…',
  followupCancel: 'Cancelar',
  followupSent: '¡Gracias! Te responderemos aquí en tu próxima visita.',
  followupFailed: 'No se pudo enviar tu mensaje. Inténtalo de nuevo más tarde.',
  followupReplyFrom: 'Respuesta de {name}',
  followupTeam: 'el equipo',
  followupYouWrote: 'Escribiste:',
  followupStartLive: 'Iniciar una sesión en directo',
  followupClose: 'Cerrar',
};

export const FOLLOWUP_TEXTS: Record<string, Record<FollowupTextKey, string>> = { en: EN, fr: FR, de: DE, es: ES };

/** The text for `key` in `lang`, the site's override first; {name}-style placeholders filled in. */
export function followupText(lang: string, overrides: Record<string, string> | undefined, key: FollowupTextKey, vars?: Record<string, string>): string {
  const text = overrides?.[key] || (FOLLOWUP_TEXTS[lang] ?? EN)[key];
  return vars ? text.replace(/\{(\w+)\}/g, (whole, name: string) => vars[name] ?? whole) : text;
}
