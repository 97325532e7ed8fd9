/**
 * Generates a realistic test page with a given number of DOM nodes (elements + text nodes in
 * <body>): headings, paragraphs with inline markup, lists, tables, a form with inputs, scroll
 * containers and a stylesheet. Deterministic (seeded), so every run sees the same page.
 *
 * Hooks used by the workload and the probes:
 *   #bench-marker         latency probe target (its text is the marker sequence number)
 *   .bm                   elements whose text/attributes the steady workload changes
 *   .bench-list           lists that get <li> insertions/removals
 *   .bench-scroll         inner scroll containers
 *   #bench-end            the page's last element, text BENCH_END_TEXT (join / paint check)
 */

export const BENCH_END_TEXT = 'BENCH-END-OF-PAGE';

type Node = string | { tag: string; attrs?: Record<string, string>; children?: Node[] };

const WORDS =
  'order account delivery basket payment invoice address shipping product review return ticket support status customer update refund message price total amount discount coupon account profile settings language country city street number phone email'.split(
    ' ',
  );

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const escapeHtml = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

function count(node: Node): number {
  if (typeof node === 'string') return 1;
  let n = 1;
  for (const c of node.children ?? []) n += count(c);
  return n;
}

function render(node: Node, out: string[]): void {
  if (typeof node === 'string') {
    out.push(escapeHtml(node));
    return;
  }
  out.push('<', node.tag);
  for (const [k, v] of Object.entries(node.attrs ?? {})) out.push(' ', k, '="', escapeHtml(v), '"');
  out.push('>');
  if (node.tag === 'input') return;
  for (const c of node.children ?? []) render(c, out);
  out.push('</', node.tag, '>');
}

const CSS = `
*{box-sizing:border-box} body{font:14px/1.4 system-ui,sans-serif;margin:0;color:#222;background:#fafafa}
header{background:#234;color:#fff;padding:8px 16px} nav ul{display:flex;gap:12px;list-style:none;margin:0;padding:0}
main{display:grid;grid-template-columns:1fr 1fr;gap:16px;padding:16px} section{background:#fff;border:1px solid #ddd;border-radius:6px;padding:12px}
h2{font-size:16px;margin:0 0 8px} table{border-collapse:collapse;width:100%} td,th{border:1px solid #eee;padding:2px 6px;text-align:left}
.bench-scroll{height:160px;overflow:auto;border:1px solid #ccc} .bm.hot{color:#c00} .card{display:inline-block;margin:4px;padding:4px 8px;background:#eef;border-radius:4px}
form label{display:block;margin:4px 0} input,select,textarea{font:inherit}
#bench-marker{position:fixed;right:8px;bottom:8px;background:#ffd;padding:2px 6px;border:1px solid #cc9}
`;

/** Builds the body content; stops when the node budget is reached. */
function buildBody(targetNodes: number, seed: number): Node[] {
  const r = rng(seed);
  const word = (): string => WORDS[Math.floor(r() * WORDS.length)] as string;
  const words = (n: number): string => Array.from({ length: n }, word).join(' ');
  let used = 0;
  const body: Node[] = [];
  const push = (node: Node, into: Node[]): void => {
    used += count(node);
    into.push(node);
  };

  push({ tag: 'div', attrs: { id: 'bench-marker' }, children: ['0'] }, body);
  push(
    {
      tag: 'header',
      children: [
        { tag: 'h1', children: ['Example Shop'] },
        { tag: 'nav', children: [{ tag: 'ul', children: ['Home', 'Products', 'Orders', 'Help'].map((t) => ({ tag: 'li', children: [{ tag: 'a', attrs: { href: '#' + t.toLowerCase() }, children: [t] }] })) }] },
      ],
    },
    body,
  );
  const main: Node & object = { tag: 'main', children: [] };
  used += 1;
  body.push(main);
  const mainChildren = main.children as Node[];
  const endNode: Node = { tag: 'footer', children: [{ tag: 'p', attrs: { id: 'bench-end' }, children: [BENCH_END_TEXT] }] };
  const reserve = count(endNode);

  let block = 0;
  while (used + reserve < targetNodes) {
    const left = targetNodes - reserve - used;
    const kind = block % 5;
    block += 1;
    const section: Node[] = [{ tag: 'h2', children: [`Section ${block}: ${words(2)}`] }];
    const budget = Math.min(left - 3, 120 + Math.floor(r() * 200));
    if (budget < 4) {
      push({ tag: 'span', children: [word()] }, mainChildren);
      continue;
    }
    let b = 0;
    const add = (n: Node): boolean => {
      const c = count(n);
      if (b + c > budget) return false;
      b += c;
      section.push(n);
      return true;
    };
    if (kind === 0) {
      // paragraphs with inline markup
      for (;;) {
        const p: Node = {
          tag: 'p',
          children: [
            words(6) + ' ',
            { tag: 'span', attrs: { class: 'bm' }, children: [words(2)] },
            ' ' + words(4) + ' ',
            { tag: 'strong', children: [words(1)] },
            ' ',
            { tag: 'a', attrs: { href: '#x' }, children: [words(2)] },
          ],
        };
        if (!add(p)) break;
      }
    } else if (kind === 1) {
      // a table
      const rows: Node[] = [];
      const head: Node = { tag: 'tr', children: ['Item', 'Qty', 'Price', 'Status'].map((h) => ({ tag: 'th', children: [h] })) };
      b += 3 + count(head);
      rows.push(head);
      for (;;) {
        const row: Node = {
          tag: 'tr',
          children: [
            { tag: 'td', children: [words(2)] },
            { tag: 'td', attrs: { class: 'bm' }, children: [String(1 + Math.floor(r() * 9))] },
            { tag: 'td', attrs: { class: 'bm' }, children: [(r() * 100).toFixed(2)] },
            { tag: 'td', children: [word()] },
          ],
        };
        const c = count(row);
        if (b + c > budget) break;
        b += c;
        rows.push(row);
      }
      section.push({ tag: 'table', children: [{ tag: 'tbody', children: rows }] });
    } else if (kind === 2) {
      // a list that grows and shrinks
      const items: Node[] = [];
      b += 1;
      for (;;) {
        const li: Node = { tag: 'li', children: [{ tag: 'span', attrs: { class: 'bm' }, children: [words(3)] }, ' ' + words(2)] };
        const c = count(li);
        if (b + c > budget) break;
        b += c;
        items.push(li);
      }
      section.push({ tag: 'ul', attrs: { class: 'bench-list' }, children: items });
    } else if (kind === 3) {
      // a form
      const fields: Node[] = [];
      b += 1;
      let i = 0;
      for (;;) {
        const type = i % 4;
        const id = `f${block}-${i}`;
        i += 1;
        const control: Node =
          type === 0
            ? { tag: 'input', attrs: { id, type: 'text', value: words(2), name: id } }
            : type === 1
              ? { tag: 'input', attrs: { id, type: 'checkbox', name: id } }
              : type === 2
                ? { tag: 'select', attrs: { id, name: id }, children: [1, 2, 3].map((n) => ({ tag: 'option', children: [`${word()} ${n}`] })) }
                : { tag: 'textarea', attrs: { id, name: id }, children: [words(5)] };
        const field: Node = { tag: 'label', children: [words(2) + ' ', control] };
        const c = count(field);
        if (b + c > budget) break;
        b += c;
        fields.push(field);
      }
      section.push({ tag: 'form', children: fields });
    } else {
      // a scroll container with cards
      const cards: Node[] = [];
      b += 1;
      for (;;) {
        const card: Node = { tag: 'div', attrs: { class: 'card' }, children: [{ tag: 'b', attrs: { class: 'bm' }, children: [words(1)] }, ' ' + words(3)] };
        const c = count(card);
        if (b + c > budget) break;
        b += c;
        cards.push(card);
      }
      section.push({ tag: 'div', attrs: { class: 'bench-scroll' }, children: cards });
    }
    push({ tag: 'section', children: section }, mainChildren);
  }
  push(endNode, body);
  return body;
}

export interface PageOptions {
  nodes: number;
  title?: string;
  /** Extra markup placed at the end of <head> (scripts). */
  head?: string;
  seed?: number;
}

export function generatePage(options: PageOptions): { html: string; nodes: number } {
  const body = buildBody(options.nodes, options.seed ?? 42);
  const out: string[] = [];
  for (const n of body) render(n, out);
  const nodes = body.reduce((s, n) => s + count(n), 1);
  const html =
    `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(options.title ?? 'Bench page')}</title>` +
    `<style>${CSS}</style>${options.head ?? ''}</head><body>${out.join('')}</body></html>`;
  return { html, nodes };
}
