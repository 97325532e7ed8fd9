/**
 * Canvas frames in the replica, shown by the console itself. The SDK samples every canvas at a
 * bounded rate (`canvasFps`) and sends each changed frame as an encoded image inside an rrweb
 * CanvasMutation event (and the current one as `rr_dataURL` in a keyframe). rrweb would replay
 * those only with `UNSAFE_replayCanvas`, which needs scripts in the replica iframe; ours never
 * has them. Worse, a document without scripts renders a <canvas> as its fallback content (an
 * empty, zero-sized box), so nothing drawn into it would show. So each replica canvas gets the
 * frame as CSS `content: url(...)`: it becomes a replaced element with the frame's size (the
 * canvas's width × height), the page's own CSS for the canvas still applies, and no customer
 * code runs (an image cannot carry any). Until a frame arrives, a transparent image of the
 * canvas's size keeps the layout as the customer sees it.
 */
import type { ReplayPlugin } from 'rrweb';

const CANVAS_MUTATION = 9;
const INCREMENTAL_SNAPSHOT = 3;
const MUTATION = 0;
const CONTEXT_2D = 0;
/** Only raster images: an SVG could fetch from wherever it likes. */
const IMAGE_TYPES = new Set(['image/webp', 'image/png', 'image/jpeg']);
/** A frame of a 4K canvas as lossless PNG stays under this; anything larger is not a frame. */
const MAX_FRAME_BASE64 = 24 * 1024 * 1024;

export interface CanvasFrame {
  id: number;
  type: string;
  base64: string;
}

function record(value: unknown): Record<string, unknown> | null {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : null;
}

/**
 * The sampled frame in a CanvasMutation's data, or null for anything else (rrweb's sampler sends
 * `clearRect` then `drawImage(ImageBitmap(Blob([ArrayBuffer base64], type)), 0, 0)`).
 *
 * @example readCanvasFrame(event.data) // { id: 12, type: 'image/webp', base64: 'UklGR...' }
 */
export function readCanvasFrame(data: unknown): CanvasFrame | null {
  const d = record(data);
  if (!d || d['source'] !== CANVAS_MUTATION || d['type'] !== CONTEXT_2D || typeof d['id'] !== 'number') return null;
  const commands = Array.isArray(d['commands']) ? d['commands'] : [];
  const draw = commands.map(record).find((c) => c?.['property'] === 'drawImage');
  const args = Array.isArray(draw?.['args']) ? (draw['args'] as unknown[]) : [];
  const bitmap = record(args[0]);
  if (bitmap?.['rr_type'] !== 'ImageBitmap' || args[1] !== 0 || args[2] !== 0) return null;
  const blob = record(Array.isArray(bitmap['args']) ? bitmap['args'][0] : null);
  const buffer = record(Array.isArray(blob?.['data']) ? (blob['data'] as unknown[])[0] : null);
  const type = blob?.['type'];
  const base64 = buffer?.['base64'];
  if (blob?.['rr_type'] !== 'Blob' || buffer?.['rr_type'] !== 'ArrayBuffer' || typeof type !== 'string' || typeof base64 !== 'string') return null;
  if (!IMAGE_TYPES.has(type) || base64.length > MAX_FRAME_BASE64) return null;
  return { id: d['id'], type, base64 };
}

function decodeBase64(base64: string): Uint8Array<ArrayBuffer> {
  const binary = atob(base64);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

/** A keyframe's canvas image, accepted only as a raster data URL. */
const DATA_URL = /^data:image\/(webp|png|jpeg);base64,[a-z0-9+/=]+$/i;

function sizeOf(canvas: HTMLCanvasElement): string {
  const dim = (name: string, fallback: number) => {
    const n = Number.parseInt(canvas.getAttribute(name) ?? '', 10);
    return Number.isFinite(n) && n >= 0 ? n : fallback;
  };
  return `${dim('width', 300)}x${dim('height', 150)}`;
}

/** A transparent image of the canvas's size (a blank canvas's look and layout). */
function blankImage(size: string): string {
  const [w, h] = size.split('x');
  return `data:image/svg+xml,${encodeURIComponent(`<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}"/>`)}`;
}

interface Shown {
  url: string;
  /** The canvas size the blank image was made for; null once a frame is shown. */
  blankFor: string | null;
  /** A blob: URL of ours, revoked when replaced. */
  blob: boolean;
  seq: number;
}

function isCanvas(node: unknown): node is HTMLCanvasElement {
  // Replica nodes live in the iframe's realm: compare names, not `instanceof`.
  return !!node && (node as Node).nodeName === 'CANVAS';
}

/**
 * @example new Replayer([], { plugins: [createCanvasFramePlugin()] })
 */
export function createCanvasFramePlugin(): ReplayPlugin {
  const shown = new WeakMap<HTMLCanvasElement, Shown>();
  let seq = 0;

  const show = (canvas: HTMLCanvasElement, next: Omit<Shown, 'seq'>, at = ++seq): void => {
    const before = shown.get(canvas);
    if (before && before.seq > at) {
      if (next.blob) URL.revokeObjectURL(next.url);
      return; // a newer frame is already up
    }
    canvas.style.setProperty('content', `url("${next.url}")`, 'important');
    shown.set(canvas, { ...next, seq: at });
    if (before?.blob && before.url !== next.url) URL.revokeObjectURL(before.url);
  };

  const showFrame = (canvas: HTMLCanvasElement, frame: CanvasFrame): void => {
    const at = ++seq;
    let url: string;
    try {
      url = URL.createObjectURL(new Blob([decodeBase64(frame.base64)], { type: frame.type }));
    } catch {
      return;
    }
    // Swap only once decoded, so the canvas never flashes empty between two frames.
    const probe = new Image();
    probe.src = url;
    probe
      .decode()
      .then(() => show(canvas, { url, blankFor: null, blob: true }, at))
      .catch(() => URL.revokeObjectURL(url));
  };

  /** Put the frame back if the page rewrote the canvas's style, and resize a blank canvas. */
  const refresh = (canvas: HTMLCanvasElement): void => {
    const current = shown.get(canvas);
    if (!current) return;
    const size = sizeOf(canvas);
    if (current.blankFor !== null && current.blankFor !== size) show(canvas, { url: blankImage(size), blankFor: size, blob: false }, current.seq);
    else canvas.style.setProperty('content', `url("${current.url}")`, 'important');
  };

  return {
    onBuild(node, { replayer }) {
      if (!isCanvas(node)) return;
      const meta = replayer.getMirror().getMeta(node) as { attributes?: Record<string, unknown> } | null;
      const dataUrl = meta?.attributes?.['rr_dataURL'];
      if (typeof dataUrl === 'string' && DATA_URL.test(dataUrl)) show(node, { url: dataUrl, blankFor: null, blob: false });
      else {
        const size = sizeOf(node);
        show(node, { url: blankImage(size), blankFor: size, blob: false });
      }
    },
    handler(event, _isSync, { replayer }) {
      if (event.type !== INCREMENTAL_SNAPSHOT) return;
      const data = record(event.data);
      if (data?.['source'] === MUTATION) {
        const changes = Array.isArray(data['attributes']) ? (data['attributes'] as unknown[]) : [];
        for (const change of changes) {
          const node = replayer.getMirror().getNode(Number(record(change)?.['id']));
          if (isCanvas(node)) refresh(node);
        }
        return;
      }
      const frame = readCanvasFrame(data);
      if (!frame) return;
      const canvas = replayer.getMirror().getNode(frame.id);
      if (isCanvas(canvas)) showFrame(canvas, frame);
    },
  };
}
