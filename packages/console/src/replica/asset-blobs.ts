/**
 * Assets the customer's tab sends inside an end-to-end encrypted DOM stream (SDK `inlineAssets`,
 * the `samepage:asset` custom events of every keyframe; packages/sdk/src/asset-inline.ts). Their
 * bytes never pass the server in the clear, so the replica gets them from here: images as blob:
 * URLs made in the console, fonts as data: URLs. Both are already allowed by the replica's CSP
 * (`img-src … data: blob:`, `font-src … data:`) and by the console's own, so nothing is widened;
 * neither can reach the network. Each keyframe brings the whole set again: the set of the
 * keyframe before the last is dropped (its replica is gone), and its blob: URLs revoked.
 */

/** The SDK's custom event tag; payload `{ url, type, part, parts, data }` (base64 slice). */
export const ASSET_TAG = 'samepage:asset';

/** Decoded bytes kept per keyframe; assets past it keep their URL. */
export const MAX_INLINE_BYTES = 8 * 1024 * 1024;
const MAX_PARTS = 64;
/** Images and fonts only, as the SDK sends them; never a document or a script. */
const INLINE_TYPE = /^(image\/[\w.+-]+|font\/[\w.+-]+|application\/(font-[\w.+-]+|x-font-[\w.+-]+|vnd\.ms-fontobject|octet-stream))$/;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

interface Asset {
  type: string;
  parts: string[];
  received: number;
  /** The whole base64 once every part is here. */
  data: string | null;
  blobUrl: string | null;
}

type Json = Record<string, unknown>;

/** The asset's key: an absolute http(s) URL without its fragment, as the SDK writes it. */
export function normaliseAssetUrl(raw: string, base?: string): string | null {
  try {
    const url = new URL(raw, base || undefined);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return null;
    url.hash = '';
    return url.href;
  } catch {
    return null;
  }
}

export class AssetBlobs {
  private current = new Map<string, Asset>();
  private previous = new Map<string, Asset>();
  private bytes = 0;

  /** A keyframe starts a new set; the one before the last goes. */
  startKeyframe(): void {
    revoke(this.previous);
    this.previous = this.current;
    this.current = new Map();
    this.bytes = 0;
  }

  size(): number {
    return this.current.size;
  }

  /** Takes one `samepage:asset` payload; anything malformed is ignored. */
  note(payload: Json | null): void {
    const url = typeof payload?.url === 'string' && payload.url.length <= 4096 ? normaliseAssetUrl(payload.url) : null;
    const type = typeof payload?.type === 'string' && INLINE_TYPE.test(payload.type) ? payload.type : null;
    const { part, parts, data } = payload ?? {};
    if (!url || !type || !isIndex(parts, MAX_PARTS + 1) || parts === 0 || !isIndex(part, parts) || typeof data !== 'string' || !BASE64.test(data)) return;
    const asset = this.current.get(url) ?? { type, parts: new Array<string>(parts), received: 0, data: null, blobUrl: null };
    if (asset.parts.length !== parts || asset.type !== type || asset.parts[part] !== undefined) return;
    const bytes = Math.floor((data.length * 3) / 4);
    if (this.bytes + bytes > MAX_INLINE_BYTES) return;
    this.bytes += bytes;
    asset.parts[part] = data;
    asset.received += 1;
    if (asset.received === parts) asset.data = asset.parts.join('');
    this.current.set(url, asset);
  }

  /** The local URL for an asset this stream carried (data: for fonts, blob: otherwise), or null. */
  lookup(url: string, font: boolean): string | null {
    const asset = this.current.get(url);
    if (!asset?.data) return null;
    if (font) return `data:${asset.type};base64,${asset.data}`;
    if (!asset.blobUrl) {
      try {
        asset.blobUrl = URL.createObjectURL(new Blob([decodeBase64(asset.data)], { type: asset.type }));
      } catch {
        return null;
      }
    }
    return asset.blobUrl;
  }

  dispose(): void {
    revoke(this.previous);
    revoke(this.current);
    this.previous = new Map();
    this.current = new Map();
  }
}

function isIndex(value: unknown, below: number): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 && value < below;
}

function decodeBase64(data: string): Uint8Array<ArrayBuffer> {
  const text = atob(data);
  const out = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) out[i] = text.charCodeAt(i);
  return out;
}

function revoke(set: Map<string, Asset>): void {
  for (const asset of set.values()) if (asset.blobUrl) URL.revokeObjectURL(asset.blobUrl);
}
