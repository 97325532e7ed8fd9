/**
 * The fidelity corpus: one entry per page in `fidelity/pages`, plus the demo shop. Each page
 * sets itself up (scroll positions, open dialogs, paused video...) and then sets
 * `window.__fidelityReady = true`; `act` runs what needs a real input device (hover, focus,
 * click) after the agent has joined, so that it also tests incremental mirroring.
 */

/** What a corpus step may do in the customer's tab; implemented per engine. */
export interface CustomerActions {
  hover(selector: string): Promise<void>;
  click(selector: string): Promise<void>;
  focus(selector: string): Promise<void>;
  /** Runs a function in the page (no closures: it is sent as source). */
  evaluate<R>(fn: () => R | Promise<R>): Promise<R>;
}

export interface CorpusPage {
  name: string;
  /** Path on the corpus origin, or on the Samepage server when `origin` is 'server'. */
  path: string;
  origin?: 'corpus' | 'server';
  /** What the page exercises (shown in FIDELITY.md). */
  about: string;
  act?: (page: CustomerActions) => Promise<void>;
  /** Extra regions excluded from the diff by design, as selectors in the customer's page. */
  mask?: string[];
  /**
   * A cross-origin frame without the SDK: its box is excluded from the diff, and the harness
   * checks that the replica shows a labelled placeholder of the same size there instead.
   */
  placeholderFor?: string;
  /**
   * State that a pixel score can miss (a hover border is a few hundred pixels): each expression
   * is evaluated with `el` (the first match of `selector`) and `win` (its window) in the
   * customer's tab and in the replica, and the two results must be equal.
   */
  checks?: StateCheck[];
}

export interface StateCheck {
  name: string;
  selector: string;
  /** A JavaScript expression over `el` and `win`, e.g. "win.getComputedStyle(el).borderTopColor". */
  value: string;
}

const style = (name: string, selector: string, ...props: string[]): StateCheck => ({
  name,
  selector,
  value: `[${props.map((p) => `win.getComputedStyle(el).${p}`).join(', ')}].join(' | ')`,
});

export const CORPUS: CorpusPage[] = [
  { name: 'iframes-nested', path: '/iframes-nested.html', about: 'same-origin iframes nested two deep, with styles, images and text in each' },
  {
    name: 'iframe-cross-origin-sdk',
    path: '/iframe-cross-origin-sdk.html',
    about: 'a cross-origin iframe (second local origin) that loads the SDK itself and shares its page in the session',
    // The framed page joins a moment after the session starts (capture.js, the server's check):
    // wait until it has shared a snapshot, so the settle after this step sees it arrive.
    act: async (page) => {
      await page.evaluate(async () => {
        for (let i = 0; i < 400 && !(((window as unknown as { __frameSnapshots?: number }).__frameSnapshots ?? 0) > 0); i++) await new Promise((r) => setTimeout(r, 25));
        return true;
      });
    },
  },
  {
    name: 'iframe-cross-origin-plain',
    path: '/iframe-cross-origin-plain.html',
    about: 'a cross-origin iframe without the SDK: expected to be a labelled placeholder of the same size',
    placeholderFor: '#third-party',
  },
  { name: 'shadow-dom', path: '/shadow-dom.html', about: 'custom elements with open shadow roots, nested roots, slots and :host styles' },
  { name: 'constructed-styles', path: '/constructed-styles.html', about: 'adoptedStyleSheets on the document and a shadow root, CSS-in-JS via insertRule' },
  { name: 'web-fonts', path: '/web-fonts.html', about: '@font-face web fonts (Open Sans WOFF2, regular and bold)' },
  { name: 'images', path: '/images.html', about: '<picture> with srcset and <source>, inline SVG, SVG <img>, CSS background images and gradients' },
  { name: 'canvas-static', path: '/canvas-static.html', about: '2D canvases drawn once' },
  { name: 'canvas-animated', path: '/canvas-animated.html', about: 'a canvas redrawn every frame (mirrored as periodic frames at best)' },
  {
    name: 'video',
    path: '/video.html',
    about: 'a <video> paused at 1.5 s',
    checks: [{ name: 'paused at the same position', selector: '#v', value: '[el.paused, el.currentTime.toFixed(2)].join(" ")' }],
  },
  {
    name: 'video-playing',
    path: '/video-playing.html',
    about: 'a <video> started after the agent joined, playing in a loop (the moving picture is masked; the play state is checked)',
    act: async (page) => {
      await page.evaluate(() => (document.getElementById('v') as HTMLVideoElement).play().then(() => true));
    },
    mask: ['#v'],
    checks: [{ name: 'playing', selector: '#v', value: 'el.paused ? "paused" : "playing"' }],
  },
  {
    name: 'dialog-popover',
    path: '/dialog-popover.html',
    about: 'a modal <dialog> opened with showModal() (top layer, ::backdrop) and an open popover',
    checks: [
      { name: 'the popover is open', selector: '#tips', value: 'el.matches(":popover-open")' },
      { name: 'the dialog is modal', selector: '#confirm', value: 'el.matches(":modal")' },
    ],
  },
  { name: 'scroll-sticky-fixed', path: '/scroll-sticky-fixed.html', about: 'window scrolled, inner scroll containers scrolled (both axes), sticky header, fixed footer' },
  {
    name: 'states',
    path: '/states.html',
    about: ':hover (mouse over a card), :focus / :focus-visible (a text field) and :checked (checkbox, radio, toggle)',
    act: async (page) => {
      await page.click('#newsletter');
      await page.click('#plan-pro');
      await page.focus('#search');
      await page.hover('#card-2');
    },
    checks: [
      style(':hover on the card under the pointer', '#card-2', 'borderTopColor', 'backgroundColor', 'boxShadow'),
      style('no :hover on the other cards', '#card-1', 'borderTopColor', 'backgroundColor'),
      style(':focus on the search field', '#search', 'borderTopColor', 'boxShadow', 'backgroundColor'),
      { name: ':checked (clicked)', selector: '#newsletter', value: 'el.checked' },
      style(':checked + span (clicked radio)', '#plan-pro + span', 'fontWeight', 'color'),
    ],
  },
  {
    name: 'forms',
    path: '/forms.html',
    about: '<select> (single and multiple), date/time/range/color inputs, an allowed text field and a masked one',
  },
  { name: 'large-table', path: '/large-table.html', about: 'a 2,000-row table with a sticky header, scrolled into the middle' },
  {
    name: 'spa-pushstate',
    path: '/spa/index.html',
    about: 'a single-page app that navigates to a second view with history.pushState after the agent joined',
    act: async (page) => {
      await page.click('a[href="/spa/orders/42"]');
      await page.evaluate(() => new Promise<void>((resolve) => requestAnimationFrame(() => requestAnimationFrame(() => resolve()))));
    },
  },
  { name: 'demo-shop', path: '/index.html', origin: 'server', about: 'the demo shop home page (served by the Samepage server, with its widget)' },
  { name: 'demo-checkout', path: '/checkout.html', origin: 'server', about: 'the demo checkout: masked card fields, redacted and blocked content' },
];
