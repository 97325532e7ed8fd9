/**
 * followup.js, "Leave a message": loaded by the loader when no agent is online (widget on), when
 * this browser left a message earlier (to show the team's reply), or on the first call of
 * `Samepage.leaveMessage()` / `replies()`. With the widget on it draws its own UI
 * (followup-ui.ts); headless sites use the API and the `availability` and `followup_reply`
 * events. A snapshot is taken by snapshot.js, loaded only when the visitor attaches one.
 * Registers through the loader's private hook and adds no global of its own.
 */
import type { CaptureHost, SamepageApi, SamepageError } from './api-types.ts';
import { createPost } from './followup-client.ts';
import { addHeld, dropHeld, readHeld } from './followup-held.ts';
import type { FollowupFactory, FollowupModule, FollowupThread, LeaveMessageInput, SnapshotTaker } from './followup-types.ts';
import { createFollowupUi, type FollowupUi } from './followup-ui.ts';
import { followupText, type FollowupTextKey } from './i18n/followup.ts';
import type { RedactionRules } from './redaction.ts';
import { resolveTheme } from './theme.ts';
import { readIdentity } from './visitor-identity.ts';
import { applyTheme } from './widget-host.ts';

const SNAPSHOT_PATH = '/sdk/snapshot.js';

interface SiteStatus {
  agentsOnline: boolean;
  redaction: RedactionRules;
  /** The site is end-to-end encrypted: the message carries the page's origin only. */
  e2ee?: boolean;
}

/** Set by capture.js (e2ee-hook.ts) while this tab's session is end-to-end encrypted. */
const E2EE_FLAG_KEY = 'samepage:e2ee';

function readE2eeFlag(): boolean {
  try {
    return sessionStorage.getItem(E2EE_FLAG_KEY) === '1';
  } catch {
    return false;
  }
}

const fail = (code: SamepageError['code'], message: string): SamepageError => ({ code, message });

const createFollowup: FollowupFactory = (host: CaptureHost) => {
  const { siteKey, server } = host.config;
  const post = createPost(server);
  const api = window.Samepage as SamepageApi;
  let status: Promise<SiteStatus> | null = null;
  let ui: FollowupUi | null = null;
  /** Set while a session started from a reply is being set up: no launcher meanwhile. */
  let startingLive = false;

  const loadStatus = (): Promise<SiteStatus> =>
    (status ??= post<SiteStatus>('/followup/status', { siteKey }).catch((error: unknown) => {
      status = null;
      throw error;
    }));

  // The site's theme (from the presence welcome) with the page's own options on top, as the loader's.
  const t = (key: FollowupTextKey, vars?: Record<string, string>): string => followupText(host.config.lang, resolveTheme(host).text, key, vars);

  const leave = async (input: LeaveMessageInput): Promise<{ id: string }> => {
    const text = typeof input?.text === 'string' ? input.text.trim() : '';
    if (!text) throw fail('message_empty', 'Write a message first.');
    if (!siteKey || !server) throw fail('sdk_config', 'Samepage needs a site key and a server.');
    // An end-to-end encrypted site (data-e2ee, or its policy): the origin only, no path, no title,
    // no snapshot (docs/E2EE.md, "Follow-up messages"). When the site's status cannot be read, the same.
    const hidePage = host.config.e2ee === true || readE2eeFlag() || (await loadStatus().then((s) => s.e2ee === true, () => true));
    let snapshot: string | null = null;
    if (input.attachSnapshot && !hidePage) {
      try {
        const { redaction } = await loadStatus();
        snapshot = await ((await host.loadBundle(SNAPSHOT_PATH)) as SnapshotTaker)(redaction);
      } catch (error) {
        host.report(error); // the message still goes, without the snapshot
      }
    }
    const identity = readIdentity();
    const body = {
      siteKey,
      text,
      page: hidePage ? { url: location.origin + '/', title: '' } : { url: location.href.slice(0, 4096), title: document.title.slice(0, 1024) },
      ...(typeof input.name === 'string' && input.name ? { name: input.name.slice(0, 200) } : {}),
      ...(typeof input.email === 'string' && input.email ? { email: input.email.slice(0, 200) } : {}),
      ...(identity ? { identity } : {}),
      ...(snapshot ? { snapshot } : {}),
    };
    const { id, token } = await post<{ id: string; token: string }>('/followup/messages', body);
    addHeld(siteKey, id, token);
    return { id };
  };

  const replies = async (): Promise<FollowupThread[]> => {
    const held = readHeld(siteKey);
    if (!held.length || !server) return [];
    const identity = readIdentity();
    const result = await post<{ threads: Array<Omit<FollowupThread, 'markSeen'>> }>('/followup/replies', {
      siteKey,
      threads: held.map(({ id, token }) => ({ id, token })),
      ...(identity ? { identity } : {}),
    });
    return result.threads.map((thread) => ({ ...thread, markSeen: () => markSeen(thread.id) }));
  };

  const markSeen = async (id: string): Promise<void> => {
    const held = readHeld(siteKey).find((h) => h.id === id);
    if (!held) return;
    await post('/followup/seen', { siteKey, id, token: held.token });
    dropHeld([id]);
  };

  /** A live session from the reply: once it has a code, the thread shows it to the team (Join). */
  const startLive = (thread: FollowupThread): void => {
    const held = readHeld(siteKey).find((h) => h.id === thread.id);
    startingLive = true;
    const off = api.on('code', ({ code }) => {
      off();
      startingLive = false;
      if (!held) return;
      post('/followup/live', { siteKey, id: thread.id, token: held.token, code })
        .then(() => dropHeld([thread.id]))
        .catch((error: unknown) => host.report(error));
    });
    api.startSession().catch(() => {
      off();
      startingLive = false;
      update();
    });
  };

  const ensureUi = (): FollowupUi | null => {
    if (ui || !host.config.widget) return ui;
    const root = host.widgetRoot();
    if (!root) return null;
    const identity = readIdentity();
    ui = createFollowupUi(root, t, { name: identity?.name, email: identity?.email }, {
      send: async (input) => void (await leave(input)),
      startLive,
      closeReply: (thread) => void thread.markSeen().catch((error: unknown) => host.report(error)),
      closed: () => update(),
    });
    applyTheme(root, resolveTheme(host));
    return ui;
  };

  /** The corner button: widget on, nobody online, no session in this tab. */
  const update = (): void => {
    try {
      const state = host.snapshot().state;
      const show = host.config.widget && api.agentsOnline() === false && (state === 'idle' || state === 'ended') && !startingLive;
      if (show) ensureUi()?.setLauncher(true);
      else if (ui) {
        ui.setLauncher(false);
        if (state !== 'idle' && state !== 'ended') ui.hide();
      }
    } catch (error) {
      host.report(error);
    }
  };

  api.on('availability', update);
  api.on('state', update);
  update();
  // Replies to messages this browser left: an event each, and the first one in the widget. Asked
  // once the page has loaded and is idle, so that an identify() made while it loads counts.
  if (readHeld(siteKey).length) afterLoad(showReplies);

  const module: FollowupModule = { leave, replies };
  return module;

  function showReplies(): void {
    replies()
      .then((threads) => {
        const fresh = threads.filter((th) => th.replies.length > 0 && !th.seen);
        for (const thread of fresh) host.emit('followup_reply', thread);
        const first = fresh[0];
        const state = host.snapshot().state;
        if (first && host.config.widget && !ui?.busy() && (state === 'idle' || state === 'ended')) ensureUi()?.showReply(first);
      })
      .catch((error: unknown) => host.report(error));
  }
};

/** Runs `fn` when the page has loaded and is idle (at most 3 s after the load). */
function afterLoad(fn: () => void): void {
  const idle = (): void => void ('requestIdleCallback' in window ? requestIdleCallback(() => fn(), { timeout: 3000 }) : setTimeout(fn, 500));
  if (document.readyState === 'complete') idle();
  else window.addEventListener('load', idle, { once: true });
}

try {
  window.Samepage?._r?.(createFollowup);
} catch {
  // Never into the page.
}
