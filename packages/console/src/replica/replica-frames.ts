/**
 * Frames the customer's page could not share. rrweb records the document of a same-origin frame;
 * a cross-origin frame (a payment form, a chat vendor, an ad) arrives as an empty <iframe> with
 * its address moved to `rr_src`, so the replica showed a blank box, or whatever colour the page
 * gave it. The console writes a labelled grey placeholder into that frame instead, at the frame's
 * own size: "Content from pay.example is not shared". If the frame's document arrives later (a
 * same-origin frame that had not loaded yet), rrweb rebuilds the frame's document, which replaces
 * the placeholder.
 */
import type { ReplayPlugin } from 'rrweb';

export const PLACEHOLDER_ATTRIBUTE = 'data-samepage-frame-placeholder';

/** The host (with port) a frame's recorded address points to, or null for non-network frames. */
export function frameHost(src: unknown): string | null {
  if (typeof src !== 'string' || !src) return null;
  try {
    const url = new URL(src);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.host : null;
  } catch {
    return null;
  }
}

function paintPlaceholder(frame: HTMLIFrameElement, text: string): void {
  const doc = frame.contentDocument;
  if (!doc || !doc.documentElement) return;
  const body = doc.body ?? doc.documentElement.appendChild(doc.createElement('body'));
  doc.documentElement.setAttribute('style', 'height:100%;margin:0');
  body.setAttribute('style', 'height:100%;margin:0');
  const box = doc.createElement('div');
  box.setAttribute(PLACEHOLDER_ATTRIBUTE, '');
  box.setAttribute(
    'style',
    'box-sizing:border-box;height:100%;display:flex;align-items:center;justify-content:center;padding:12px;text-align:center;' +
      'background:repeating-linear-gradient(135deg,#e5e7eb 0 12px,#f3f4f6 12px 24px);color:#374151;font:14px/1.4 system-ui,sans-serif',
  );
  box.textContent = text;
  body.replaceChildren(box);
}

/**
 * @example new Replayer([], { plugins: [createFramePlaceholderPlugin((host) => `Content from ${host} is not shared`)] })
 */
export function createFramePlaceholderPlugin(label: (host: string) => string): ReplayPlugin {
  return {
    onBuild(node, { replayer }) {
      if ((node as Node).nodeName !== 'IFRAME') return;
      const meta = replayer.getMirror().getMeta(node as Node) as { attributes?: Record<string, unknown> } | null;
      const host = frameHost(meta?.attributes?.['rr_src']);
      if (!host) return;
      // rrweb builds a subtree before attaching it, and a detached frame has no document yet.
      queueMicrotask(() => {
        try {
          // The frame's own document came in the same batch (a cross-origin frame that shares
          // itself through the SDK, frame-child.ts): it is the content, not a placeholder's place.
          const doc = (node as HTMLIFrameElement).contentDocument;
          if (doc && replayer.getMirror().hasNode(doc)) return;
          paintPlaceholder(node as HTMLIFrameElement, label(host));
        } catch {
          // the frame stays empty
        }
      });
    },
  };
}
