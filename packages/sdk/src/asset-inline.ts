/**
 * `inlineAssets` in an end-to-end encrypted session (docs/E2EE.md, "Assets"): the bytes of the
 * page's own assets never go to the server in the clear. They travel inside the DOM stream as
 * custom rrweb events (`samepage:asset`), in the batch of every keyframe, so they are sealed with
 * it under the epoch's group key, and every viewer that can read a keyframe (a late joiner too:
 * it gets a fresh keyframe in its own epoch) gets every asset with it. An asset fetched after the
 * current keyframe asks for a new keyframe (at most one every MIN_KEYFRAME_GAP_MS), so viewers
 * rebuild the replica with it. The console turns them into blob: URLs (asset-blobs.ts there).
 */
import type { RecordedEvent } from './rrweb-events.ts';

/** The custom event's tag; payload `{ url, type, part, parts, data }`, `data` a base64 slice. */
export const ASSET_TAG = 'samepage:asset';

/** What the capture pipeline offers assets.js (capture-pipeline.ts). */
export interface AssetStream {
  setKeyframeEvents(provide: () => RecordedEvent[]): void;
  takeKeyframe(): void;
}

export interface InlineAssets {
  /** Keeps an asset for every later keyframe; false when its type may not be inlined. */
  add(url: string, blob: Blob, type: string): Promise<boolean>;
  stop(): void;
}

/** Base64 characters per event, so no single JSON string of a keyframe is huge. */
export const PART_CHARS = 256 * 1024;
const KEYFRAME_DELAY_MS = 300;
const MIN_KEYFRAME_GAP_MS = 2000;
/** Images and fonts only (fonts are often served as octet-stream); never a document or a script. */
const INLINE_TYPE = /^(image\/[\w.+-]+|font\/[\w.+-]+|application\/(font-[\w.+-]+|x-font-[\w.+-]+|vnd\.ms-fontobject|octet-stream))$/;

/** The type an asset is inlined under, or null. */
export function readInlineType(raw: string): string | null {
  const type = raw.split(';')[0]!.trim().toLowerCase();
  return INLINE_TYPE.test(type) ? type : null;
}

function readBase64(blob: Blob): Promise<string> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(String(reader.result).slice(String(reader.result).indexOf(',') + 1));
    reader.onerror = () => reject(reader.error);
    reader.readAsDataURL(blob);
  });
}

/**
 * @example const inline = createInlineAssets(pipeline, () => fetching > 0);
 */
export function createInlineAssets(stream: AssetStream, isBusy: () => boolean): InlineAssets {
  const assets: Array<{ url: string; type: string; data: string }> = [];
  let stopped = false;
  let dirty = false;
  let last = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;

  const events = (): RecordedEvent[] => {
    const out: RecordedEvent[] = [];
    const timestamp = Date.now();
    for (const { url, type, data } of assets) {
      const parts = Math.max(1, Math.ceil(data.length / PART_CHARS));
      for (let part = 0; part < parts; part++) {
        out.push({ type: 5, timestamp, data: { tag: ASSET_TAG, payload: { url, type, part, parts, data: data.slice(part * PART_CHARS, (part + 1) * PART_CHARS) } } });
      }
    }
    return out;
  };

  const fire = (): void => {
    timer = undefined;
    if (stopped || !dirty) return;
    // The rest of this scan's assets first: one keyframe for all of them.
    if (isBusy()) return void (timer = setTimeout(fire, KEYFRAME_DELAY_MS));
    dirty = false;
    last = Date.now();
    stream.takeKeyframe();
  };

  stream.setKeyframeEvents(() => {
    try {
      return stopped ? [] : events();
    } catch {
      return [];
    }
  });

  return {
    async add(url, blob, raw) {
      const type = readInlineType(raw);
      if (!type || stopped) return false;
      const data = await readBase64(blob);
      if (stopped) return false;
      assets.push({ url, type, data });
      dirty = true;
      timer ??= setTimeout(fire, Math.max(KEYFRAME_DELAY_MS, last + MIN_KEYFRAME_GAP_MS - Date.now()));
      return true;
    },
    stop() {
      stopped = true;
      clearTimeout(timer);
      stream.setKeyframeEvents(() => []);
    },
  };
}
