/**
 * sdk.js, the loader: the only script a site embeds. It must cost the page almost nothing, so
 * it defines `window.Samepage` and (optionally) a "Get help" button, and loads the capture
 * bundle only when a session starts or is resumed in this tab. It never throws into the page.
 *
 * @example
 *   <script src="https://help.example.com/sdk.js" data-site-key="KEY" data-widget async></script>
 *   Samepage.on('code', ({ code }) => show(code));
 */
import { createEmitter } from './events.ts';
import { readStoredSession } from './session-store.ts';
import { BASE_CSS, createWidgetRoot } from './widget-host.ts';
import type {
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

const CAPTURE_PATH = '/sdk/capture.js';
const CAPTURE_LOAD_TIMEOUT_MS = 20_000;

function findOwnScript(): HTMLScriptElement | null {
  const current = document.currentScript;
  if (current instanceof HTMLScriptElement && current.src) return current;
  // `async` scripts have no currentScript in some browsers.
  return document.querySelector<HTMLScriptElement>('script[data-site-key][src$="/sdk.js"]');
}

function install(): void {
  if (window.Samepage) return; // embedded twice: the first one wins
  const config: ResolvedConfig = { siteKey: '', server: '', widget: false, lang: 'en' };
  let onError: SamepageOptions['onError'];
  let snapshot: SamepageSnapshot = { state: 'idle', code: null, expiresAt: null, participants: [] };
  let controller: CaptureController | null = null;
  let loading: Promise<CaptureController> | null = null;
  let pendingFactory: ((factory: CaptureFactory) => void) | null = null;
  let root: ShadowRoot | null = null;
  let launcherShown = false;

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
      snapshot = { ...snapshot, ...patch };
      if (snapshot.state !== previous) emit('state', snapshot.state);
    },
    snapshot: () => ({ ...snapshot, participants: [...snapshot.participants] }),
    widgetRoot,
    report,
  };

  const loadCapture = (): Promise<CaptureController> => {
    if (controller) return Promise.resolve(controller);
    if (loading) return loading;
    loading = new Promise<CaptureController>((resolve, reject) => {
      const fail = (): void => {
        loading = null;
        pendingFactory = null;
        reject({ code: 'sdk_load_failed', message: 'The Samepage capture script could not be loaded.' } satisfies SamepageError);
      };
      const timer = setTimeout(fail, CAPTURE_LOAD_TIMEOUT_MS);
      pendingFactory = (factory) => {
        clearTimeout(timer);
        pendingFactory = null;
        controller = factory(host);
        resolve(controller);
      };
      const script = document.createElement('script');
      script.src = config.server + CAPTURE_PATH;
      script.async = true;
      script.onerror = () => {
        clearTimeout(timer);
        fail();
      };
      (document.head ?? document.documentElement).appendChild(script);
    });
    return loading;
  };

  const showLauncher = (): void => {
    if (!config.widget || controller || launcherShown) return;
    const r = widgetRoot();
    if (!r) return;
    launcherShown = true;
    r.innerHTML = `<style>${BASE_CSS}</style><button class="sp-btn sp-launcher" type="button">Get help</button>`;
    r.querySelector('button')?.addEventListener('click', () => {
      api.startSession().catch(() => undefined); // already reported through onError
    });
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
    init(options) {
      try {
        if (options.onError) onError = options.onError;
        if (options.siteKey) config.siteKey = options.siteKey;
        if (options.server) config.server = new URL(options.server, location.href).origin;
        if (options.lang) config.lang = options.lang;
        if (options.widget !== undefined) config.widget = options.widget;
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
    if (!controller && readStoredSession()) {
      loadCapture()
        .then((c) => c.resume())
        .catch((error: unknown) => report(error));
      return;
    }
    showLauncher();
  };

  window.Samepage = api;
  const script = findOwnScript();
  if (script) {
    const widget = script.getAttribute('data-widget');
    config.siteKey = script.getAttribute('data-site-key') ?? '';
    config.server = new URL(script.src, location.href).origin;
    config.widget = widget !== null && widget !== 'off' && widget !== 'false';
    config.lang = script.getAttribute('data-lang') || document.documentElement.lang || 'en';
    boot();
  }
}

try {
  install();
} catch {
  // The loader must never break the page that embeds it.
}
