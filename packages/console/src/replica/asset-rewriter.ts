/**
 * Routes some of the replica's asset URLs through the server's asset proxy, by rewriting the
 * rrweb events before the replica is built from them (an <img> starts loading the moment its
 * src is set, so rewriting the built DOM would be too late). Routed through the proxy:
 * - fonts (`url()` inside `@font-face`): the replica is another origin than the customer's page,
 *   and fonts need CORS there;
 * - `http:` assets when the console runs on `https:` (mixed content);
 * - every asset of an origin the customer's tab supplies itself (SDK `inlineAssets`, announced
 *   in the stream by the ASSETS_TAG custom event): intranet hosts and assets behind a login.
 * In an end-to-end encrypted session the tab sends those assets inside the stream instead
 * (ASSET_TAG events, asset-blobs.ts): they become local blob:/data: URLs, before any proxy rule.
 * Everything else keeps its URL. docs/FIDELITY.md, "Assets", has the whole story.
 */
import { rewriteCssUrls, type CssUrlContext } from '@samepage/protocol';
import type { ReplicaEvent } from './frame-decoder.ts';
import { ASSET_TAG, AssetBlobs, normaliseAssetUrl } from './asset-blobs.ts';

/** The SDK's custom event: `{ origins: string[] }` whose assets its tab uploads (asset-supply.ts). */
export const ASSETS_TAG = 'samepage:assets';

export interface AssetRouting {
  /** Absolute URL of the proxy, e.g. https://help.example.com/assets/proxy. */
  proxy: string;
  token: string;
}

const EventType = { FullSnapshot: 2, IncrementalSnapshot: 3, Meta: 4, Custom: 5 } as const;
const Source = { Mutation: 0, StyleSheetRule: 8, StyleDeclaration: 13, AdoptedStyleSheet: 15 } as const;
const NodeType = { Element: 2, Text: 3 } as const;

/** Elements whose src/srcset/poster/href load an asset (never iframes or scripts). */
const SRC_TAGS = new Set(['img', 'source', 'video', 'audio', 'input']);
const ASSET_TAGS = new Set([...SRC_TAGS, 'link', 'image']);

type Json = Record<string, unknown>;
const obj = (v: unknown): Json | null => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Json) : null);
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const isAssetEvent = (e: ReplicaEvent): boolean => e.type === EventType.Custom && obj(e.data)?.tag === ASSET_TAG;

export class AssetRewriter {
  private routing: AssetRouting | null = null;
  private readonly customerOrigins = new Set<string>();
  /** Text nodes inside <style>: their text is CSS. */
  private styleTextIds = new Set<number>();
  /** Tags of elements with asset attributes, by mirror id (attribute mutations name only the id). */
  private assetTags = new Map<number, string>();
  private base = '';
  private readonly blobs = new AssetBlobs();

  constructor(
    private readonly consoleOrigin: string,
    private readonly consoleSecure: boolean,
  ) {}

  setRouting(routing: AssetRouting | null): void {
    this.routing = routing;
  }

  /**
   * Rewrites a batch in place and returns it without the inline assets' events (their bytes are
   * kept here); a no-op until the proxy's routing is known or the stream carried assets.
   */
  rewrite(events: ReplicaEvent[]): ReplicaEvent[] {
    let assets = 0;
    for (const event of events) assets += this.noteEvent(event) ? 1 : 0;
    if (!this.routing && this.blobs.size() === 0) return events;
    for (const event of events) this.rewriteEvent(event);
    return assets ? events.filter((e) => !isAssetEvent(e)) : events;
  }

  /** Drops the inline assets' blob: URLs (the replica is gone). */
  dispose(): void {
    this.blobs.dispose();
  }

  /** The local URL of an inline asset, else the proxy URL for a reference, or null to keep it. */
  routeUrl(raw: string, context: CssUrlContext | 'attr'): string | null {
    if (raw.startsWith('data:') || raw.startsWith('blob:')) return null;
    const key = this.blobs.size() ? normaliseAssetUrl(raw, this.base) : null;
    const local = key ? this.blobs.lookup(key, context === 'font') : null;
    if (local) return local;
    const routing = this.routing;
    if (!routing) return null;
    let url: URL;
    try {
      url = new URL(raw, this.base || undefined);
    } catch {
      return null;
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return null;
    if (url.origin === this.consoleOrigin) return null;
    const route = context === 'font' || (this.consoleSecure && url.protocol === 'http:') || this.customerOrigins.has(url.origin);
    return route ? `${routing.proxy}?t=${encodeURIComponent(routing.token)}&u=${encodeURIComponent(url.href)}` : null;
  }

  /** Notes the base URL, the supplied origins and the inline assets; true for an inline asset's event. */
  private noteEvent(event: ReplicaEvent): boolean {
    const data = obj(event.data);
    if (event.type === EventType.Meta && typeof data?.href === 'string') this.base = data.href;
    if (event.type === EventType.FullSnapshot) this.blobs.startKeyframe();
    if (isAssetEvent(event)) {
      this.blobs.note(obj(data?.payload));
      return true;
    }
    if (event.type !== EventType.Custom || data?.tag !== ASSETS_TAG) return false;
    for (const origin of list(obj(data.payload)?.origins)) if (typeof origin === 'string' && /^https?:\/\/[^/]+$/.test(origin)) this.customerOrigins.add(origin);
    return false;
  }

  private css(text: string): string {
    return rewriteCssUrls(text, (url, context) => this.routeUrl(url, context));
  }

  private srcset(value: string): string {
    // Candidates are "url [descriptor]" separated by commas; URLs with commas are rare in srcset.
    return value
      .split(',')
      .map((candidate) => {
        const match = /^(\s*)(\S+)(.*)$/s.exec(candidate);
        if (!match) return candidate;
        const routed = this.routeUrl(match[2]!, 'attr');
        return routed ? `${match[1]}${routed}${match[3]}` : candidate;
      })
      .join(',');
  }

  private rewriteEvent(event: ReplicaEvent): void {
    const data = obj(event.data);
    if (!data) return;
    if (event.type === EventType.FullSnapshot) {
      this.styleTextIds = new Set();
      this.assetTags = new Map();
      this.rewriteNode(obj(data.node), false);
    } else if (event.type === EventType.IncrementalSnapshot) {
      this.rewriteIncremental(data);
    }
  }

  private rewriteIncremental(data: Json): void {
    switch (data.source) {
      case Source.Mutation:
        for (const add of list(data.adds)) this.rewriteNode(obj(obj(add)?.node), false);
        for (const change of list(data.attributes)) {
          const c = obj(change);
          const attrs = obj(c?.attributes);
          if (c && attrs) this.rewriteAttributes(attrs, (typeof c.id === 'number' && this.assetTags.get(c.id)) || '');
        }
        for (const text of list(data.texts)) {
          const t = obj(text);
          if (t && typeof t.id === 'number' && this.styleTextIds.has(t.id) && typeof t.value === 'string') t.value = this.css(t.value);
        }
        break;
      case Source.StyleSheetRule:
        for (const add of list(data.adds)) {
          const a = obj(add);
          if (a && typeof a.rule === 'string') a.rule = this.css(a.rule);
        }
        break;
      case Source.StyleDeclaration: {
        const set = obj(data.set);
        if (set && typeof set.value === 'string') set.value = this.css(set.value);
        break;
      }
      case Source.AdoptedStyleSheet:
        for (const style of list(data.styles)) {
          for (const rule of list(obj(style)?.rules)) {
            const r = obj(rule);
            if (r && typeof r.rule === 'string') r.rule = this.css(r.rule);
          }
        }
        break;
    }
  }

  private rewriteNode(node: Json | null, inStyle: boolean): void {
    if (!node) return;
    if (node.type === NodeType.Text) {
      if ((inStyle || node.isStyle === true) && typeof node.textContent === 'string') {
        if (typeof node.id === 'number') this.styleTextIds.add(node.id);
        node.textContent = this.css(node.textContent);
      }
      return;
    }
    const tag = typeof node.tagName === 'string' ? node.tagName.toLowerCase() : '';
    const attrs = obj(node.attributes);
    if (ASSET_TAGS.has(tag) && typeof node.id === 'number') this.assetTags.set(node.id, tag);
    if (attrs) this.rewriteAttributes(attrs, tag);
    for (const child of list(node.childNodes)) this.rewriteNode(obj(child), tag === 'style');
  }

  private rewriteAttributes(attrs: Json, tag: string): void {
    for (const [name, value] of Object.entries(attrs)) {
      if (name === 'style' && obj(value)) {
        // A style diff: { property: value | [value, priority] | false }.
        const diff = obj(value)!;
        for (const [prop, v] of Object.entries(diff)) {
          if (typeof v === 'string') diff[prop] = this.css(v);
          else if (Array.isArray(v) && typeof v[0] === 'string') diff[prop] = [this.css(v[0]), ...v.slice(1)];
        }
        continue;
      }
      if (typeof value !== 'string') continue;
      if (name === 'style' || name === '_cssText') attrs[name] = this.css(value);
      else if (name === 'srcset' && (tag === 'img' || tag === 'source')) attrs[name] = this.srcset(value);
      else if ((name === 'src' && SRC_TAGS.has(tag)) || (name === 'poster' && tag === 'video') || name === 'background' || ((name === 'href' || name === 'xlink:href') && (tag === 'link' || tag === 'image'))) {
        attrs[name] = this.routeUrl(value, 'attr') ?? value;
      }
    }
  }
}
