/**
 * :hover, :focus, :focus-visible and :focus-within in the replica. Those states belong to the
 * customer's input devices, which the replica does not have, so the console sets them itself:
 * the element under the customer's pointer (the SDK's pointer samples carry its mirror id) and
 * its ancestors get the class `:hover`, the focused element (rrweb's Focus/Blur interactions)
 * gets `:focus` (and `:focus-visible` for fields that show a focus ring however they were
 * focused), its ancestors `:focus-within`. Every style rule that uses one of these pseudo-classes
 * gets the class as an alternative selector (`a:hover` becomes `a:hover, a.\:hover`; rrweb
 * already does this for `:hover` in the CSS text it rebuilds, not in CSSOM-inserted rules). The
 * selector is rewritten in place, so the number and order of rules, which rrweb's stylesheet
 * events address by index, stay the same. Open popovers (`:popover-open`, state the SDK sends as
 * a custom event) are opened in the replica too.
 */
import type { ReplayPlugin } from 'rrweb';

const INCREMENTAL_SNAPSHOT = 3;
const CUSTOM = 5;
/** The SDK's custom event for an opened or closed popover: packages/sdk/src/popover-capture.ts. */
export const POPOVER_TAG = 'samepage:popover';
const Source = { Mutation: 0, MouseMove: 1, MouseInteraction: 2, TouchMove: 6, StyleSheetRule: 8, Drag: 12, AdoptedStyleSheet: 15 } as const;
const Interaction = { Focus: 5, Blur: 6 } as const;

type State = 'hover' | 'focus' | 'focus-visible' | 'focus-within';
const STATE_PSEUDO = /:(hover|focus-visible|focus-within|focus)(?![\w-])/g;
/** Fields that match :focus-visible however they were focused (as browsers do). */
const ALWAYS_FOCUS_VISIBLE = /^(TEXTAREA|SELECT)$/;
const NON_TEXT_INPUTS = new Set(['checkbox', 'radio', 'button', 'submit', 'reset', 'image', 'file', 'range', 'color']);

/**
 * `a:hover > b, c:focus` -> `a:hover > b, c:focus, a.\:hover > b, c.\:focus`, or null when the
 * selector uses none of the states (or already has the class alternatives).
 *
 * @example addStateClasses('.card:hover') // '.card:hover, .card.\\:hover'
 */
export function addStateClasses(selector: string): string | null {
  STATE_PSEUDO.lastIndex = 0;
  if (!STATE_PSEUDO.test(selector) || selector.includes('.\\:focus') || (selector.includes('.\\:hover') && !/:focus/.test(selector))) return null;
  return `${selector}, ${selector.replace(STATE_PSEUDO, '.\\:$1')}`;
}

/**
 * Opens or closes the replica's copy of a popover: the console calls the DOM method (no script
 * runs in the replica), so it is in the top layer and the page's `:popover-open` rules apply.
 */
function togglePopover(el: Element | null, open: boolean): void {
  if (!el || !el.hasAttribute('popover')) return;
  const popover = el as HTMLElement;
  try {
    if (open && !popover.matches(':popover-open')) popover.showPopover();
    else if (!open && popover.matches(':popover-open')) popover.hidePopover();
  } catch {
    // not connected, or a browser without popovers: the replica shows it closed
  }
}

function parentAcrossShadow(el: Element): Element | null {
  if (el.parentElement) return el.parentElement;
  const root = el.parentNode;
  // A shadow root: its host is the next ancestor for :hover and :focus-within.
  return root && root.nodeType === 11 && 'host' in root ? ((root as ShadowRoot).host ?? null) : null;
}

function chainOf(el: Element | null): Element[] {
  const out: Element[] = [];
  for (let at = el; at; at = parentAcrossShadow(at)) out.push(at);
  return out;
}

function showsFocusRing(el: Element): boolean {
  if (ALWAYS_FOCUS_VISIBLE.test(el.tagName) || (el as HTMLElement).isContentEditable) return true;
  return el.tagName === 'INPUT' && !NON_TEXT_INPUTS.has((el.getAttribute('type') ?? '').toLowerCase());
}

type RuleList = { cssRules: CSSRuleList };

/** The little of a node this module reads: its name and its parent's. */
type NodeLike = { nodeName: string; parentNode: { nodeName: string } | null };

const isStyleElement = (node: { nodeName: string } | null | undefined): boolean => !!node && node.nodeName.toUpperCase() === 'STYLE';

/**
 * Whether a mutation event changed the CSS text of a <style> (a text change or an added text
 * node inside one). New <style>/<link> elements are seen when they are built (onBuild), so the
 * usual batch (texts, classes, list items) does not make the plugin walk the whole replica again.
 *
 * @example changesStyleText({ texts: [{ id: 4, value: 'a:hover{}' }] }, (id) => mirror.getNode(id))
 */
export function changesStyleText(data: Record<string, unknown>, nodeOf: (id: number) => NodeLike | null | undefined): boolean {
  const texts = Array.isArray(data['texts']) ? (data['texts'] as Array<Record<string, unknown>>) : [];
  for (const text of texts) {
    const id = text?.['id'];
    if (typeof id === 'number' && isStyleElement(nodeOf(id)?.parentNode)) return true;
  }
  const adds = Array.isArray(data['adds']) ? (data['adds'] as Array<Record<string, unknown>>) : [];
  for (const add of adds) {
    const parentId = add?.['parentId'];
    if (typeof parentId === 'number' && isStyleElement(nodeOf(parentId))) return true;
  }
  return false;
}

/** Every stylesheet of the replica: documents, open shadow roots, same-origin frames. */
function collectSheets(doc: Document): RuleList[] {
  const sheets: RuleList[] = [];
  const roots: Array<Document | ShadowRoot> = [doc];
  for (let i = 0; i < roots.length; i++) {
    const root = roots[i] as Document | ShadowRoot;
    sheets.push(...Array.from(root.styleSheets), ...(root.adoptedStyleSheets ?? []));
    for (const el of Array.from(root.querySelectorAll('*'))) {
      if (el.shadowRoot) roots.push(el.shadowRoot);
      if (el.tagName === 'IFRAME') {
        const inner = (el as HTMLIFrameElement).contentDocument;
        if (inner) roots.push(inner);
      }
    }
  }
  return sheets;
}

/**
 * Tracks the customer's hover and focus and mirrors them into the replica.
 *
 * @example new Replayer([], { plugins: [createStatePlugin()] })
 */
export function createStatePlugin(): ReplayPlugin {
  const rewritten = new WeakSet<CSSRule>();
  let doc: Document | null = null;
  let hovered: Element[] = [];
  let focused: Element | null = null;
  let stylesDirty = true;
  let passQueued = false;

  const rewriteRules = (list: RuleList): void => {
    let rules: CSSRule[];
    try {
      rules = Array.from(list.cssRules);
    } catch {
      return; // a cross-origin sheet that was not inlined
    }
    for (const rule of rules) {
      if ('cssRules' in rule && !('selectorText' in rule)) rewriteRules(rule as unknown as RuleList);
      if (!('selectorText' in rule) || rewritten.has(rule)) continue;
      rewritten.add(rule);
      const style = rule as CSSStyleRule;
      const next = addStateClasses(style.selectorText);
      if (next) style.selectorText = next;
      if (style.cssRules?.length) rewriteRules(style); // CSS nesting
    }
  };

  const rewriteStyles = (): void => {
    if (!stylesDirty || !doc) return;
    stylesDirty = false;
    for (const sheet of collectSheets(doc)) rewriteRules(sheet);
  };

  // Classes are written only where they change: every write is a DOM change the replica's
  // renderer has to look at, and this runs after every batch and pointer sample.
  const addState = (el: Element, state: State): void => {
    if (!el.classList.contains(`:${state}`)) el.classList.add(`:${state}`);
  };

  const mark = (): void => {
    rewriteStyles();
    for (const el of hovered) addState(el, 'hover');
    if (!focused) return;
    addState(focused, 'focus');
    if (showsFocusRing(focused)) addState(focused, 'focus-visible');
    for (const el of chainOf(focused)) addState(el, 'focus-within');
  };

  const unmark = (els: readonly Element[], states: readonly State[]): void => {
    for (const el of els) for (const state of states) if (el.classList.contains(`:${state}`)) el.classList.remove(`:${state}`);
  };

  /** New styles show up in the same batch as the element they style: re-mark after it. */
  const queuePass = (): void => {
    if (passQueued || (!hovered.length && !focused)) return;
    passQueued = true;
    queueMicrotask(() => {
      passQueued = false;
      mark();
    });
  };

  const nodeOf = (replayer: Parameters<NonNullable<ReplayPlugin['handler']>>[2]['replayer'], id: unknown): Element | null => {
    const node = typeof id === 'number' ? replayer.getMirror().getNode(id) : null;
    return node && node.nodeType === 1 ? (node as Element) : null;
  };

  return {
    onBuild(node, { replayer }) {
      const built = node as Node;
      if (built.nodeType === 9 && built === replayer.iframe.contentDocument) {
        doc = built as Document;
        hovered = [];
        focused = null;
      }
      if (built.nodeType !== 1 || !/^(STYLE|LINK)$/i.test((built as Element).tagName)) return;
      stylesDirty = true;
      // A <link>'s sheet exists only once it has loaded.
      if (/^LINK$/i.test((built as Element).tagName)) {
        built.addEventListener('load', () => {
          stylesDirty = true;
          queuePass();
        });
      }
    },
    handler(event, _isSync, { replayer }) {
      if (event.type === CUSTOM) {
        const custom = event.data as unknown as { tag?: unknown; payload?: { id?: unknown; open?: unknown } };
        if (custom.tag === POPOVER_TAG) togglePopover(nodeOf(replayer, custom.payload?.id), custom.payload?.open === true);
        return;
      }
      if (event.type !== INCREMENTAL_SNAPSHOT) return;
      const data = event.data as unknown as Record<string, unknown>;
      switch (data['source']) {
        case Source.MouseMove:
        case Source.TouchMove:
        case Source.Drag: {
          const positions = Array.isArray(data['positions']) ? (data['positions'] as Array<Record<string, unknown>>) : [];
          const target = nodeOf(replayer, positions[positions.length - 1]?.['id']);
          if (!target || target === hovered[0]) return;
          const next = chainOf(target);
          const stays = new Set(next);
          unmark(hovered.filter((el) => !stays.has(el)), ['hover']);
          hovered = next;
          mark();
          return;
        }
        case Source.MouseInteraction: {
          if (data['type'] === Interaction.Focus) {
            const target = nodeOf(replayer, data['id']);
            if (!target || target === focused) return;
            if (focused) unmark(chainOf(focused), ['focus', 'focus-visible', 'focus-within']);
            focused = target;
            mark();
          } else if (data['type'] === Interaction.Blur && focused && nodeOf(replayer, data['id']) === focused) {
            unmark(chainOf(focused), ['focus', 'focus-visible', 'focus-within']);
            focused = null;
          }
          return;
        }
        case Source.StyleSheetRule:
        case Source.AdoptedStyleSheet:
          stylesDirty = true;
          queuePass();
          return;
        case Source.Mutation:
          // The page may have rewritten a marked element's class attribute, or changed a <style>.
          // Walking the replica for its sheets costs a pass over every node: only when CSS changed.
          if (!stylesDirty && changesStyleText(data, (id) => replayer.getMirror().getNode(id) as NodeLike | null)) stylesDirty = true;
          queuePass();
          return;
      }
    },
  };
}
