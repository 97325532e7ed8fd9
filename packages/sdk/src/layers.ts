/**
 * The layers of the widget's shadow root, made by capture.js whether or not the built-in UI
 * is on: drawings, agent pointers, the UI itself (widget.js draws there), panels (chat,
 * invite), modal prompts, and a screen-reader live region. Pointers and drawings show with
 * data-widget="off" too: pointing is part of co-browsing.
 */
import type { BannerExtras } from './banner.ts';
import { liveRegion, el } from './widget-dom.ts';
import { HOST_STYLE, addCss } from './widget-host.ts';

const LAYERS_CSS =
  `:host{${HOST_STYLE}}` +
  '.sp-pointer{position:fixed;top:0;left:0;pointer-events:none;transition:transform 60ms linear;will-change:transform}' +
  '.sp-pointer span{position:absolute;left:16px;top:18px;padding:2px 8px;border-radius:6px;color:#fff;font:600 12px system-ui,sans-serif;white-space:nowrap}' +
  '.sp-sr{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}' +
  '@media (prefers-reduced-motion:reduce){*{transition:none!important;animation:none!important}}';

export interface Layers {
  root: ShadowRoot;
  ui: HTMLElement;
  drawingContainer: HTMLElement;
  pointerContainer: HTMLElement;
  /** Chat and invite panels. */
  panels: HTMLElement;
  /** Consent prompts. */
  modals: HTMLElement;
  /** A polite live region for announcements. */
  announcer: HTMLElement;
  /** Adds CSS for parts that come later (widget.js and collab.js bring their own). */
  addStyle(css: string): void;
}

/** What collab.js draws into. */
export interface Widget extends Layers {
  /** The Chat button's state (open, unread count), updated in place. */
  setChat(extras: BannerExtras): void;
}

/**
 * Mounts the layers at once when capture.js starts, before any recording: the recorder skips
 * what was inside our (blocked) host when it took its snapshot, and drops later changes under
 * nodes it does not know, but a node added right under the shadow root after the snapshot
 * would reach the replica. The loader's button stays until widget.js draws.
 */
export function mountLayers(root: ShadowRoot): Layers {
  addCss(root, LAYERS_CSS);
  const drawingContainer = el('div', 'sp-drawings');
  const pointerContainer = el('div', 'sp-pointers');
  pointerContainer.setAttribute('aria-hidden', 'true');
  const ui = el('div', 'sp-ui');
  const panels = el('div', 'sp-panels');
  const modals = el('div', 'sp-modals');
  const announcer = liveRegion(el('div', 'sp-sr'));
  root.append(drawingContainer, pointerContainer, ui, panels, modals, announcer);
  return { root, ui, drawingContainer, pointerContainer, panels, modals, announcer, addStyle: (css) => addCss(root, css) };
}
