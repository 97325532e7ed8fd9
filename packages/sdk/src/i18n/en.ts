/**
 * Every customer-facing text of the widget, in English: built into capture.js (EN_WIDGET) and
 * collab.js (EN_COLLAB).
 * fr.ts, de.ts and es.ts translate every key and load on demand from /sdk/i18n/<lang>.js. Sites
 * replace any text by key with the theme's `text` (SDK option or console). {name}-style
 * placeholders are filled in by the SDK; names from the server are never parsed as markup.
 */
export const EN_WIDGET = {
  getHelp: 'Get help',
  connecting: 'Connecting…',
  sessionEnded: 'Session ended',
  reconnecting: 'Connection lost — reconnecting…',
  connectionLost: 'The session ended: the connection to the server was lost',
  connectingWith: 'Connecting you with {name}…',
  yourAgent: 'your agent',
  cancel: 'Cancel',
  codeLabel: 'Samepage support code',
  yourCode: 'Your code',
  codeHint: 'Read this code to your support agent. They will see this tab, never your passwords or card details.',
  sessionLabel: 'Samepage session',
  anAgent: 'An agent',
  aFriend: 'A friend',
  guest: '{name} (guest)',
  and: 'and',
  viewingOne: '{names} is viewing this tab',
  viewingMany: '{names} are viewing this tab',
  controlling: '{name} is controlling this tab',
  recorded: 'This session is recorded',
  takeBack: 'Take back control',
  chat: 'Chat',
  chatUnread: 'Chat, {count} new',
  invite: 'Invite a friend',
  stop: 'Stop',
  stopLabel: 'Stop sharing',
  minimise: 'Minimise',
  joined: '{name} joined and can see this tab',
  left: '{name} left',
  controlGranted: '{name} is now controlling this tab',
  controlBack: 'You have control of this tab again',
  endedNotice: 'The session has ended. Nobody can see this tab any more.',
};

/** Texts of the parts in collab.js (prompts, chat, invites). */
export const EN_COLLAB = {
  controlTitle: '{name} wants to control this tab',
  controlBody: 'They will be able to click, scroll and type for you, but never into password or card fields. Take back control at any time, or press Esc three times.',
  allow: 'Allow',
  deny: 'Deny',
  cobrowseTitle: '{name} from {company} would like to see this tab',
  support: 'support',
  cobrowseBody: 'They will see this page as you do, but never your passwords or card details. You can stop sharing at any time.',
  accept: 'Accept',
  decline: 'Decline',
  chatEmpty: 'Write to the people helping you.',
  you: 'You',
  youSending: 'You · sending…',
  agent: 'Agent',
  someone: 'Someone',
  typingOne: '{names} is typing…',
  typingMany: '{names} are typing…',
  closeChat: 'Close chat',
  messages: 'Messages',
  message: 'Message',
  messagePlaceholder: 'Write a message…',
  send: 'Send',
  inviteCreating: 'Creating a link…',
  inviteReady: 'They can watch this tab, but not click or type. The link works once.',
  inviteFailed: 'The link could not be created. Try again later.',
  inviteLink: 'Invitation link',
  copy: 'Copy',
  copied: 'Copied',
  close: 'Close',
};

export type TextKey = keyof typeof EN_WIDGET | keyof typeof EN_COLLAB;
/** A full translation: every key, checked by the type checker. */
export type Strings = Record<TextKey, string>;
