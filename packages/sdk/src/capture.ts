/**
 * capture.js, loaded by the loader when a session starts or resumes, or when an agent asks to
 * see the tab. It streams the page; the built-in UI comes from widget.js (widget on only), its
 * texts in the customer's language from i18n/<lang>.js, and the collaboration features from
 * collab.js, fetched as soon as a session starts. Registers with the loader through the
 * private hook on `window.Samepage` and adds no global of its own.
 */
import type { CaptureController, CaptureFactory, CaptureHost, SamepageError } from './api-types.ts';
import type { CollabFactory, CollabModule } from './collab-types.ts';
import { createPointerLayer, type PointerLayer } from './pointer-layer.ts';
import { getNodeById } from './recorder.ts';
import { createSessionController } from './session.ts';
import { json } from './safe-json.ts';
import { repairJson } from './pristine.ts';
import { mountLayers, type Widget } from './layers.ts';
import type { WidgetModule, WidgetUi } from './widget.ts';
import { useTexts } from './text.ts';
import { resolveTheme } from './theme.ts';
import { createE2eeHook } from './e2ee-hook.ts';
import { createFrameCapture } from './frame-child.ts';

const COLLAB_PATH = '/sdk/collab.js';
/** Server messages kept while collab.js loads; a session's first seconds need far fewer. */
const MAX_EARLY = 1000;

/** SHA-384 integrity of the bundles capture.js loads, by path; baked in by build.mjs (empty when run from source). */
declare const __SAMEPAGE_SRI__: Record<string, string> | undefined;

const createCapture: CaptureFactory = (host: CaptureHost) => {
  // The loader pins what it loads with these (a loader older than this build may lack the field).
  if (typeof __SAMEPAGE_SRI__ === 'object' && host.integrity) Object.assign(host.integrity, __SAMEPAGE_SRI__);
  // A cross-origin frame that its parent's session asked to share (frame-child.ts): no session or UI of its own.
  if (host.config.frameParent) return createFrameCapture(host);
  repairJson();
  // The texts: English, then the customer's language (/sdk/i18n/<lang>.js), then the theme's
  // overrides. One object, shared with collab.js (which adds its English texts) through the host.
  const english: Record<string, string> = {};
  const texts: Record<string, string> = (host.texts = {});
  useTexts(texts);
  let language: Record<string, string> = {};
  const applyTexts = (): void => {
    const overrides = resolveTheme(host).text ?? {};
    for (const key of Object.keys(english)) {
      const text = overrides[key] ?? language[key];
      texts[key] = typeof text === 'string' && text ? text : english[key]!;
    }
  };
  host.addTexts = (defaults) => {
    Object.assign(english, defaults);
    applyTexts();
  };
  // Until widget.js and the language are here, draw nothing (the loader's button stays).
  let uiReady = !host.config.widget;
  let ui: WidgetUi | null = null;
  let requestedBy: string | null = null;
  let widget: Widget | null = null;
  let pointers: PointerLayer | null = null;
  let collab: CollabModule | null = null;
  let collabLoading: Promise<CollabModule> | null = null;
  let early: ((c: CollabModule) => void)[] = [];

  const guard =
    <A extends unknown[]>(fn: (...args: A) => void) =>
    (...args: A): void => {
      try {
        fn(...args);
      } catch (error) {
        host.report(error);
      }
    };

  const loadCollab = (): Promise<CollabModule> =>
    (collabLoading ??= host.loadBundle(COLLAB_PATH).then(
      (factory) => {
        const c = (collab = (factory as CollabFactory)({
          host,
          send: session.send,
          isReady: session.isReady,
          redaction: session.redaction,
          getNode: getNodeById,
          widget: ensureUi,
          onControl: (control) => {
            host.update({ control });
            render();
          },
        }));
        for (const fn of early.splice(0)) guard(fn)(c);
        return c;
      },
      (error: unknown) => {
        collabLoading = null;
        throw error;
      },
    ));

  /** Runs now if collab.js is here, else once it is (in order). */
  const withCollab = (fn: (c: CollabModule) => void): void => {
    if (collab) return guard(fn)(collab);
    if (early.length < MAX_EARLY) early.push(fn);
    loadCollab().catch((error: unknown) => host.report(error));
  };

  const actions = {
    start: () => void controller.start().catch(() => undefined), // reported via onError
    cancel: () => void session.end(),
    stop: () => void session.end(),
    takeBack: guard(() => collab?.control.revoke()),
    toggleChat: () => withCollab((c) => c.toggleChat()),
    invite: () => withCollab((c) => c.showInvite()),
  };
  let widgetModule: WidgetModule | null = null;

  // The widget's root is created lazily: with data-widget off it exists only for pointers and drawings.
  function ensureUi(): Widget | null {
    if (!widget) {
      const root = host.widgetRoot();
      if (!root) return null;
      const layers = mountLayers(root);
      widget = { ...layers, setChat: (extras) => ui?.setChat(extras) };
      pointers = createPointerLayer(layers.pointerContainer);
    }
    if (!ui && widgetModule && host.config.widget) {
      ui = widgetModule.create(widget, actions, () => resolveTheme(host), texts);
      ui.setRequestedBy(requestedBy);
    }
    return widget;
  }

  let themeKey = '';
  const render = guard(() => {
    if (!uiReady) return;
    const theme = json().stringify(resolveTheme(host));
    if (theme !== themeKey) {
      themeKey = theme;
      applyTexts();
    }
    if (host.config.widget || widget) ensureUi();
    ui?.render(host.snapshot());
  });
  const setRequestedBy = (name: string | null): void => {
    requestedBy = name;
    ui?.setRequestedBy(name);
  };

  // End-to-end encryption: e2ee.js loads only when the site's policy turns it on.
  const e2ee = createE2eeHook(host, { deliver: (message) => withCollab((c) => c.handle(message)), widget: ensureUi });
  const session = createSessionController(
    host,
    {
      render,
      pointer: guard((id, x, y) => {
        ensureUi();
        pointers?.move(id, x, y);
      }),
      setParticipants: guard((list) => pointers?.setParticipants(list)),
    },
    {
      onMessage: (message) => withCollab((c) => c.handle(message)),
      onReady: () => withCollab((c) => c.onReady()),
      onEnded: guard(() => {
        early = [];
        collab?.onEnded();
        setRequestedBy(null);
        host.update({ control: { controllerId: null, pending: [] } });
      }),
      e2ee,
    },
  );

  const noSession = (): boolean => {
    const state = host.snapshot().state;
    return state === 'idle' || state === 'ended';
  };
  const noSessionError: SamepageError = { code: 'sdk_config', message: 'There is no session in this tab.' };

  const controller: CaptureController = {
    start(options) {
      if (options?.requestId) {
        ensureUi();
        setRequestedBy(options.agentName ?? '');
      }
      const started = session.start(options);
      loadCollab().catch((error: unknown) => host.report(error));
      return started;
    },
    end: () => session.end(),
    resume() {
      session.resume();
      loadCollab().catch((error: unknown) => host.report(error));
    },
    chat: {
      send: (text) => (noSession() ? Promise.reject(noSessionError) : loadCollab().then((c) => c.chat.send(text))),
      messages: () => collab?.chat.messages() ?? [],
      setTyping: (typing) => collab?.chat.setTyping(typing),
      pending: () => collab?.chat.pending() ?? [],
    },
    control: {
      allow: (id) => withCollab((c) => c.control.allow(id)),
      deny: (id) => withCollab((c) => c.control.deny(id)),
      revoke: () => collab?.control.revoke(),
      state: () => collab?.control.state() ?? host.snapshot().control,
    },
    inviteGuest: () => (noSession() ? Promise.reject(noSessionError) : loadCollab().then((c) => c.inviteGuest())),
    promptCobrowse: (request) => loadCollab().then((c) => c.promptCobrowse(request)),
    confirmAgent: (participantId, matches) => e2ee.confirmAgent(participantId, matches),
    refresh: () => render(),
  };

  ensureUi(); // the layers, before any recording starts (layers.ts)
  if (!uiReady) {
    const lang = host.config.lang;
    Promise.all([
      host.loadBundle('/sdk/widget.js').then((m) => {
        widgetModule = m as WidgetModule;
        host.addTexts?.(widgetModule.texts);
      }),
      lang === 'en' ? null : host.loadBundle(`/sdk/i18n/${lang}.js`).then((strings) => void (language = strings as Record<string, string>)),
    ])
      .catch((error: unknown) => host.report(error))
      .finally(() => {
        uiReady = true;
        themeKey = '';
        render();
      });
  }
  if (host.config.widget) render();
  return controller;
};

try {
  window.Samepage?._r?.(createCapture);
} catch {
  // Never into the page.
}
