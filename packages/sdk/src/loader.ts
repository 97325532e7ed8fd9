/**
 * sdk.js, the loader: the only script a site embeds. It must cost the page almost nothing, so
 * it defines `window.Samepage`, (optionally) a "Get help" button and, once the page is idle, a
 * light presence socket; it loads the capture bundle only when a session starts or is resumed
 * in this tab, or an agent asks to see it. It never throws into the page.
 *
 * @example
 *   <script src="https://help.example.com/sdk.js" data-site-key="KEY" data-widget async></script>
 *   Samepage.on('code', ({ code }) => show(code));
 */
import { createEmitter } from './events.ts';
import { openPresence, type PresenceSocket } from './presence-socket.ts';
import { cleanIdentity, readIdentity, writeIdentity } from './visitor-identity.ts';
import { readStoredSession } from './session-store.ts';
import { BASE_CSS, addCss, applyTheme, createWidgetRoot, pickLang } from './widget-host.ts';
import { readSiteTheme, writeSiteTheme } from './theme-cache.ts';
import { resolveTheme } from './theme.ts';
import type {
  CobrowseRequest,
  CaptureController,
  CaptureFactory,
  CaptureHost,
  ResolvedConfig,
  SamepageApi,
  SamepageError,
  SamepageEvents,
  SamepageOptions,
  SamepageSnapshot,
} from './api-types.ts';
import type { SiteTheme } from '@samepage/protocol';
import type { FollowupFactory, FollowupModule } from './followup-types.ts';
import { HELD_STORAGE_KEY } from './followup-held.ts';
import { FRAME_HELLO } from './frame-messages.ts';

const CAPTURE_PATH = '/sdk/capture.js';
/** SHA-384 integrity of each bundle this loader may load, by path; baked in by build.mjs (empty when run from source). */
declare const __SAMEPAGE_SRI__: Record<string, string> | undefined;
const INTEGRITY: Record<string, string> = typeof __SAMEPAGE_SRI__ === 'object' ? __SAMEPAGE_SRI__ : {};
/** "Leave a message" (no agent online) and the team's replies on a later visit. */
const FOLLOWUP_PATH = '/sdk/followup.js';
const CAPTURE_LOAD_TIMEOUT_MS = 20_000;
const IDLE_AFTER_MS = 60_000;
/** The presence socket waits for an idle moment after load, at most this long. */
const PRESENCE_IDLE_TIMEOUT_MS = 3000;
/** The loader's only text; the rest of the widget's texts come with capture.js (i18n/). */
const GET_HELP: Record<string, string> = { en: 'Get help', fr: 'Obtenir de l’aide', de: 'Hilfe anfordern', es: 'Obtener ayuda' };
/** With no cached site theme (a first visit), "Get help" waits this long at most for the presence welcome's. */
const THEME_WAIT_MS = 4000;

function findOwnScript(): HTMLScriptElement | null {
  const current = document.currentScript;
  if (current instanceof HTMLScriptElement && current.src) return current;
  // `async` scripts have no currentScript in some browsers.
  return document.querySelector<HTMLScriptElement>('script[data-site-key][src$="/sdk.js"]');
}

function install(): void {
  if (window.Samepage) return; // embedded twice: the first one wins
  const config: ResolvedConfig = { siteKey: '', server: '', widget: false, lang: 'en', presence: true, idleAfterMs: IDLE_AFTER_MS, canvasFps: 2, theme: {} };
  let onError: SamepageOptions['onError'];
  let snapshot: SamepageSnapshot = { state: 'idle', code: null, expiresAt: null, participants: [], control: { controllerId: null, pending: [] }, policy: null };
  let presence: PresenceSocket | null = null;
  let presenceScheduled = false;
  const requests = new Map<string, CobrowseRequest>();
  let controller: CaptureController | null = null;
  let loading: Promise<CaptureController> | null = null;
  let followup: Promise<FollowupModule> | null = null;
  let agentsOnline: boolean | null = null;
  // The bundle being loaded registers itself through `_r`; one load at a time.
  let pendingFactory: ((factory: unknown) => void) | null = null;
  let root: ShadowRoot | null = null;
  let launcher: HTMLButtonElement | null = null;
  // undefined: not waiting yet; 0: done waiting for the site's theme.
  let themeTimer: ReturnType<typeof setTimeout> | 0 | undefined;

  const callOnError = (error: SamepageError): void => {
    try {
      onError?.(error);
    } catch {
      // The integrator's handler failed; there is nobody left to tell.
    }
  };
  const events = createEmitter<SamepageEvents>(() => undefined);
  const emit: CaptureHost['emit'] = (event, payload) => {
    if (event === 'error') callOnError(payload as SamepageError);
    events.emit(event, payload);
  };
  const report: CaptureHost['report'] = (error, code = 'sdk_internal') => {
    const e = error as Partial<SamepageError> | null;
    const normalized: SamepageError =
      e && typeof e.code === 'string' && typeof e.message === 'string'
        ? { code: e.code as SamepageError['code'], message: e.message }
        : { code, message: error instanceof Error ? error.message : String(error) };
    emit('error', normalized);
  };

  const widgetRoot = (): ShadowRoot | null => {
    try {
      return (root ??= createWidgetRoot());
    } catch (error) {
      report(error);
      return null;
    }
  };

  const host: CaptureHost = {
    config,
    emit,
    update(patch) {
      const previous = snapshot.state;
      if (patch.policy) writeSiteTheme(config.siteKey, patch.policy.theme ?? {});
      snapshot = { ...snapshot, ...patch };
      if (snapshot.state !== previous) emit('state', snapshot.state);
    },
    snapshot: () => ({ ...snapshot, participants: [...snapshot.participants] }),
    widgetRoot,
    report,
    loadBundle: () => Promise.reject(),
    integrity: INTEGRITY,
  };

  /** Loads one of our bundles from the server; resolves with what it registers through `_r`. One at a time. */
  let queue: Promise<unknown> = Promise.resolve();
  const loadBundle: CaptureHost['loadBundle'] = (path) => (queue = queue.catch(() => undefined).then(() => loadOne(path)));
  const loadOne: CaptureHost['loadBundle'] = (path) =>
    new Promise((resolve, reject) => {
      const fail = (): void => {
        pendingFactory = null;
        reject({ code: 'sdk_load_failed', message: 'A Samepage script could not be loaded.' } satisfies SamepageError);
      };
      const timer = setTimeout(fail, CAPTURE_LOAD_TIMEOUT_MS);
      pendingFactory = (factory) => {
        clearTimeout(timer);
        pendingFactory = null;
        resolve(factory);
      };
      const script = document.createElement('script');
      // Pinned: a bundle whose bytes differ from the build this loader came from does not run.
      const integrity = INTEGRITY[path];
      if (integrity) {
        script.integrity = integrity;
        script.crossOrigin = 'anonymous';
      }
      script.src = config.server + path;
      script.async = true;
      script.onerror = () => {
        clearTimeout(timer);
        fail();
      };
      (document.head ?? document.documentElement).appendChild(script);
    });
  host.loadBundle = loadBundle;

  const loadCapture = (): Promise<CaptureController> => {
    if (controller) return Promise.resolve(controller);
    loading ??= loadBundle(CAPTURE_PATH).then(
      (factory) => (controller = (factory as CaptureFactory)(host)),
      (error: unknown) => {
        loading = null;
        throw error;
      },
    );
    return loading;
  };

  const loadFollowup = (): Promise<FollowupModule> =>
    (followup ??= loadBundle(FOLLOWUP_PATH).then(
      (factory) => (factory as FollowupFactory)(host),
      (error: unknown) => {
        followup = null;
        throw error;
      },
    ));

  const onAvailability = (online: boolean): void => {
    agentsOnline = online;
    emit('availability', { agentsOnline: online });
    if (!online && config.widget) loadFollowup().catch(report);
  };

  /** The site's theme (server, then page options) on the launcher, and its text. */
  const paintLauncher = (): void => {
    const theme = resolveTheme(host);
    if (root) applyTheme(root, theme);
    if (launcher) launcher.textContent = theme.text?.getHelp || GET_HELP[config.lang]!;
  };

  const showLauncher = (): void => {
    if (!config.widget || controller || launcher) return;
    config.siteTheme ??= readSiteTheme(config.siteKey);
    // A first visit waits for the site's theme rather than restyle (and move) a shown button.
    if (!config.siteTheme && config.presence && themeTimer !== 0) {
      themeTimer ??= setTimeout(() => {
        themeTimer = 0;
        showLauncher();
      }, THEME_WAIT_MS);
      return;
    }
    const r = widgetRoot();
    if (!r) return;
    addCss(r, BASE_CSS);
    launcher = document.createElement('button');
    launcher.className = 'sp-btn sp-corner';
    launcher.type = 'button';
    launcher.addEventListener('click', () => {
      api.startSession().catch(() => undefined); // already reported through onError
    });
    paintLauncher();
    r.append(launcher);
  };

  const onSiteTheme = (theme: SiteTheme): void => {
    config.siteTheme = theme;
    writeSiteTheme(config.siteKey, theme);
    if (launcher) paintLauncher();
    else showLauncher();
    controller?.refresh?.();
  };

  const startSession = async (): Promise<{ code: string }> => {
    try {
      if (!config.siteKey || !config.server) {
        throw { code: 'sdk_config', message: 'Samepage needs a site key and a server (data-site-key on the script tag, or Samepage.init).' };
      }
      return await (await loadCapture()).start();
    } catch (error) {
      report(error);
      throw error;
    }
  };

  const noSession = (): Promise<never> => Promise.reject<never>({ code: 'sdk_config', message: 'There is no session in this tab.' } satisfies SamepageError);

  const answerRequest = (requestId: string, accepted: boolean): void => {
    requests.delete(requestId);
    presence?.answer(requestId, accepted);
  };

  const onCobrowseRequest = (request: CobrowseRequest): void => {
    requests.set(request.requestId, request);
    emit('cobrowse_requested', request);
    // Loaded now either way: accepting should not wait for a download.
    loadCapture()
      .then((c) => (config.widget ? c.promptCobrowse(request) : null))
      .then((accepted) => {
        if (accepted === null || !requests.has(request.requestId)) return;
        if (accepted) return api.acceptRequest(request.requestId);
        api.declineRequest(request.requestId);
      })
      .catch((error: unknown) => report(error));
  };

  const startPresence = (): void => {
    if (!config.presence || presenceScheduled) return;
    presenceScheduled = true;
    const open = (): void => {
      try {
        presence = openPresence({ server: config.server, siteKey: config.siteKey, identity: readIdentity, onRequest: onCobrowseRequest, onTheme: onSiteTheme, onAvailability, e2ee: config.e2ee });
      } catch (error) {
        report(error);
      }
    };
    const whenIdle = (): void => {
      if ('requestIdleCallback' in window) requestIdleCallback(open, { timeout: PRESENCE_IDLE_TIMEOUT_MS });
      else setTimeout(open, 1000);
    };
    if (document.readyState === 'complete') whenIdle();
    else window.addEventListener('load', whenIdle, { once: true });
  };

  const api: SamepageApi = {
    startSession,
    async endSession() {
      try {
        if (controller) await controller.end();
        else if (readStoredSession() && config.server) await (await loadCapture()).end();
      } catch (error) {
        report(error);
      }
    },
    on: (event, handler) => events.on(event, handler),
    off: (event, handler) => events.off(event, handler),
    getState: () => host.snapshot(),
    identify(identity) {
      const clean = cleanIdentity(identity);
      writeIdentity(clean);
      presence?.identify(clean);
    },
    async acceptRequest(requestId) {
      const request = requests.get(requestId);
      answerRequest(requestId, true);
      try {
        await (await loadCapture()).start({ requestId, agentName: request?.agentName ?? '' });
      } catch (error) {
        report(error);
      }
    },
    declineRequest: (requestId) => answerRequest(requestId, false),
    // Rejections go to the caller (a SamepageError), like startSession's.
    leaveMessage: (message) => loadFollowup().then((f) => f.leave(message)),
    replies: () => loadFollowup().then((f) => f.replies()),
    agentsOnline: () => agentsOnline,
    confirmAgent: (id, matches) => controller?.confirmAgent?.(id, matches),
    inviteGuest: () => (controller ? controller.inviteGuest() : noSession()),
    chat: {
      send: (text) => (controller ? controller.chat.send(text) : noSession()),
      messages: () => controller?.chat.messages() ?? [],
      setTyping: (typing) => controller?.chat.setTyping(typing),
      pending: () => controller?.chat.pending() ?? [],
    },
    control: {
      allow: (id) => controller?.control.allow(id),
      deny: (id) => controller?.control.deny(id),
      revoke: () => controller?.control.revoke(),
      state: () => controller?.control.state() ?? { controllerId: null, pending: [] },
    },
    init(options) {
      try {
        if (options.onError) onError = options.onError;
        if (options.siteKey) config.siteKey = options.siteKey;
        if (options.server) config.server = new URL(options.server, location.href).origin;
        if (options.lang) config.lang = pickLang(options.lang, config.lang);
        if (options.theme) config.theme = { ...config.theme, ...options.theme };
        paintLauncher();
        controller?.refresh?.();
        if (options.widget !== undefined) config.widget = options.widget;
        if (options.presence !== undefined) config.presence = options.presence;
        if (options.idleAfterMs && options.idleAfterMs > 0) config.idleAfterMs = options.idleAfterMs;
        if (options.inlineAssets !== undefined) config.inlineAssets = options.inlineAssets;
        if (options.holdOffscreen !== undefined) config.holdOffscreen = options.holdOffscreen;
        if (options.e2ee) config.e2ee = true;
        if (options.canvasFps !== undefined && options.canvasFps >= 0) config.canvasFps = Math.min(options.canvasFps, 10);
        boot();
      } catch (error) {
        report(error, 'sdk_config');
      }
    },
    _r(factory) {
      pendingFactory?.(factory);
    },
  };

  // Nothing heavy here: the capture bundle loads only to resume a session of this tab.
  const boot = (): void => {
    if (!config.siteKey || !config.server) return;
    startPresence();
    try {
      // This browser left a message here before: the team's reply may be waiting.
      if (localStorage.getItem(HELD_STORAGE_KEY)) loadFollowup().catch(report);
    } catch {
      // Storage disabled: nothing was left from here.
    }
    if (!controller && readStoredSession()) {
      loadCapture()
        .then((c) => c.resume())
        .catch((error: unknown) => report(error));
      return;
    }
    showLauncher();
  };

  // A cross-origin frame: the parent's session asks for this page. capture.js records nothing
  // before the server has confirmed the parent's origin, event.origin (frame-child.ts).
  if (window.parent !== window)
    addEventListener('message', (e) => {
      if (e.source === window.parent && e.data === FRAME_HELLO && config.server && !loading) {
        config.frameParent = e.origin;
        loadCapture().catch(report);
      }
    });
  window.Samepage = api;
  const script = findOwnScript();
  if (script) {
    const widget = script.getAttribute('data-widget');
    config.siteKey = script.getAttribute('data-site-key') ?? '';
    config.server = new URL(script.src, location.href).origin;
    config.widget = widget !== null && widget !== 'off' && widget !== 'false';
    config.lang = pickLang(script.getAttribute('data-lang'), document.documentElement.lang, navigator.language);
    const data = script.dataset;
    config.theme = { brandColor: data.brandColor, logoUrl: data.logo, position: data.position as SiteTheme['position'], mode: data.mode as SiteTheme['mode'] };
    config.presence = script.getAttribute('data-presence') !== 'off';
    config.inlineAssets = script.hasAttribute('data-inline-assets');
    config.e2ee = script.hasAttribute('data-e2ee');
    boot();
  }
}

try {
  install();
} catch {
  // The loader must never break the page that embeds it.
}
