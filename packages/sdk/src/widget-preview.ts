/**
 * The widget as the customer would see it, in one state, for the console's theme preview: the
 * real layers, widget and prompt code with made-up session data, no socket and no actions.
 * Render into a shadow root whose host sits in a transformed box (the widget's parts are
 * `position: fixed`, and a transform makes the box their viewport).
 */
import type { Participant, SiteTheme } from '@samepage/protocol';
import type { SamepageSnapshot } from './api-types.ts';
import { PROMPT_CSS, showPrompt } from './consent-prompt.ts';
import { EN_COLLAB, EN_WIDGET } from './i18n/en.ts';
import { mountLayers } from './layers.ts';
import { t } from './text.ts';
import { logo } from './theme.ts';
import { createWidgetUi } from './widget.ts';

export type WidgetPreviewState = 'launcher' | 'code' | 'banner' | 'prompt' | 'controlling';
export const WIDGET_PREVIEW_STATES: readonly WidgetPreviewState[] = ['launcher', 'code', 'banner', 'prompt', 'controlling'];

const AGENT: Participant = { id: 'preview-agent', name: 'Sam Rivera', role: 'agent', color: '#7c3aed' };
const noop = (): void => undefined;

/**
 * @example
 *   const root = box.attachShadow({ mode: 'open' });
 *   renderWidgetPreview(root, 'prompt', { brandColor: '#0f766e', mode: 'dark' });
 */
export function renderWidgetPreview(root: ShadowRoot, state: WidgetPreviewState, theme: SiteTheme): void {
  const texts: Record<string, string> = { ...EN_WIDGET, ...EN_COLLAB };
  for (const [key, text] of Object.entries(theme.text ?? {})) if (key in texts && text) texts[key] = text;
  root.replaceChildren();
  root.adoptedStyleSheets = [];
  const layers = mountLayers(root);
  const ui = createWidgetUi(layers, { start: noop, cancel: noop, stop: noop, takeBack: noop, toggleChat: noop, invite: noop }, () => theme, texts);
  const policy = { allowNavigation: true, allowGuests: true, recorded: false, allowCustomerStart: true, navigationOrigins: [], company: 'Northwind', theme };
  const base: SamepageSnapshot = { state: 'idle', code: null, expiresAt: null, participants: [], control: { controllerId: null, pending: [] }, policy };
  const snapshot: SamepageSnapshot =
    state === 'launcher'
      ? base
      : state === 'code'
        ? { ...base, state: 'waiting', code: '482913' }
        : { ...base, state: 'active', participants: [AGENT], control: { controllerId: state === 'controlling' ? AGENT.id : null, pending: [] } };
  ui.render(snapshot);
  if (state === 'prompt') {
    layers.addStyle(PROMPT_CSS);
    showPrompt(layers.modals, { title: t('controlTitle', { name: AGENT.name }), body: t('controlBody'), accept: t('allow'), decline: t('deny'), logo: logo(theme), focus: false });
  }
}
