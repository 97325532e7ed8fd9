/**
 * Runs inside a viewer page (the Samepage console or the reference viewer), bundled as an IIFE.
 * The page sets window.__benchReplicaDoc to a function returning the replica Document (or null).
 * A MutationObserver on that document records when each probe marker (#bench-marker text = seq)
 * first shows, on the clock every page shares (performance.timeOrigin + performance.now()).
 * The observer is re-attached whenever the replica document is replaced (rebuilds, keyframes).
 */
export interface ViewerProbeApi {
  /** seq -> first time the replica showed a marker >= seq. */
  arrivals(): Array<[number, number]>;
  /** Time the replica first contained `text` (checked on every mutation), then painted (2 rAFs). */
  waitForText(text: string, timeoutMs: number): Promise<{ foundAt: number; paintedAt: number } | null>;
  /** How often the replica document object was replaced. */
  rebuilds(): number;
}

declare global {
  interface Window {
    __benchReplicaDoc?: () => Document | null | undefined;
    __benchViewer: ViewerProbeApi;
    /** Set before this script runs: wait for this text from page load on (join timing). */
    __benchWaitText?: string;
    __benchJoin?: Promise<{ foundAt: number; paintedAt: number } | null>;
    /** When the agent pressed a button labelled Join (mousedown), if it did. */
    __benchJoinPressedAt?: number;
  }
}

const now = (): number => performance.timeOrigin + performance.now();

let currentDoc: Document | null = null;
let observer: MutationObserver | null = null;
let lastSeq = 0;
let rebuildCount = 0;
const arrivals: Array<[number, number]> = [];
const textWaiters: Array<{ text: string; resolve: (t: number) => void }> = [];

function check(): void {
  const doc = currentDoc;
  if (!doc) return;
  const t = now();
  const marker = doc.getElementById('bench-marker');
  if (marker) {
    const seq = Number.parseInt(marker.textContent ?? '', 10);
    if (Number.isFinite(seq) && seq > lastSeq) {
      for (let s = lastSeq + 1; s <= seq; s++) arrivals.push([s, t]);
      lastSeq = seq;
    }
  }
  if (textWaiters.length) {
    for (let i = textWaiters.length - 1; i >= 0; i--) {
      const w = textWaiters[i]!;
      if (doc.body && (doc.body.textContent ?? '').includes(w.text)) {
        textWaiters.splice(i, 1);
        w.resolve(t);
      }
    }
  }
}

function attach(): void {
  let doc: Document | null = null;
  try {
    doc = window.__benchReplicaDoc?.() ?? null;
  } catch {
    doc = null;
  }
  if (doc === currentDoc) return;
  observer?.disconnect();
  observer = null;
  currentDoc = doc;
  if (!doc) return;
  rebuildCount += 1;
  observer = new MutationObserver(check);
  observer.observe(doc, { subtree: true, childList: true, characterData: true });
  check();
}

function install(): void {
// The replica document can be swapped at any time; look for a new one every few ms.
setInterval(attach, 4);
attach();

window.__benchViewer = {
  arrivals: () => arrivals.slice(),
  rebuilds: () => rebuildCount,
  waitForText(text, timeoutMs) {
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(null), timeoutMs);
      const waiter = {
        text,
        resolve: (foundAt: number) => {
          clearTimeout(timer);
          requestAnimationFrame(() => requestAnimationFrame(() => resolve({ foundAt, paintedAt: now() })));
        },
      };
      textWaiters.push(waiter);
      attach();
      check();
    });
  },
};

document.addEventListener(
  'mousedown',
  (event) => {
    const button = (event.target as Element | null)?.closest?.('button');
    if (button && button.textContent?.trim() === 'Join') window.__benchJoinPressedAt = now();
  },
  true,
);
if (typeof window.__benchWaitText === 'string') window.__benchJoin = window.__benchViewer.waitForText(window.__benchWaitText, 20_000);
}

// Injected as an init script into the console, which also runs it in child frames: top only, once.
if (window.top === window && !window.__benchViewer) install();
