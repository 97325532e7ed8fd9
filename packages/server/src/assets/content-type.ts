/**
 * The content type the proxy answers with. Only what a replica loads as a subresource: images,
 * fonts, stylesheets, audio and video. HTML, script, XML and anything unknown are refused, so the
 * proxy can never serve a document or a script from the console's origin.
 */

const ALLOWED = new Set([
  'image/png', 'image/jpeg', 'image/gif', 'image/webp', 'image/avif', 'image/svg+xml', 'image/x-icon', 'image/vnd.microsoft.icon', 'image/bmp',
  'font/woff', 'font/woff2', 'font/ttf', 'font/otf', 'font/sfnt', 'font/collection',
  'text/css',
  'video/mp4', 'video/webm', 'video/ogg', 'audio/mpeg', 'audio/ogg', 'audio/webm', 'audio/wav', 'audio/mp4',
]);

/** Legacy names servers still send for fonts. */
const ALIASES: Record<string, string> = {
  'image/jpg': 'image/jpeg',
  'image/pjpeg': 'image/jpeg',
  'application/font-woff': 'font/woff',
  'application/x-font-woff': 'font/woff',
  'application/font-woff2': 'font/woff2',
  'application/x-font-ttf': 'font/ttf',
  'application/x-font-truetype': 'font/ttf',
  'application/x-font-otf': 'font/otf',
  'application/x-font-opentype': 'font/otf',
  'application/font-sfnt': 'font/sfnt',
  'application/vnd.ms-fontobject': 'application/vnd.ms-fontobject',
};

/** Magic numbers, for servers that answer application/octet-stream (common for fonts). */
function sniffBinary(bytes: Uint8Array): string | null {
  const ascii = (n: number) => String.fromCharCode(...bytes.subarray(0, n));
  if (ascii(4) === 'wOFF') return 'font/woff';
  if (ascii(4) === 'wOF2') return 'font/woff2';
  if (ascii(4) === 'OTTO') return 'font/otf';
  if (ascii(4) === 'true' || (bytes[0] === 0 && bytes[1] === 1 && bytes[2] === 0 && bytes[3] === 0)) return 'font/ttf';
  if (bytes[0] === 0x89 && ascii(4).slice(1) === 'PNG') return 'image/png';
  if (bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'image/jpeg';
  if (ascii(4) === 'GIF8') return 'image/gif';
  if (ascii(4) === 'RIFF' && String.fromCharCode(...bytes.subarray(8, 12)) === 'WEBP') return 'image/webp';
  return null;
}

/** True when bytes declared as something harmless start like a document or a script. */
function looksLikeMarkup(bytes: Uint8Array): boolean {
  const head = new TextDecoder().decode(bytes.subarray(0, 512)).trimStart().toLowerCase();
  return /^(<!doctype\s+html|<html|<script|<head|<body|<iframe)/.test(head);
}

/**
 * The type to serve, or null to refuse. `declared` is the upstream (or uploaded) Content-Type.
 *
 * @example assetContentType('application/octet-stream', bytes) // 'font/woff2' for a WOFF2 file
 */
export function assetContentType(declared: string | undefined, bytes: Uint8Array): string | null {
  const base = (declared ?? '').split(';')[0]!.trim().toLowerCase();
  const named = ALIASES[base] ?? base;
  let type: string | null = ALLOWED.has(named) || named === 'application/vnd.ms-fontobject' ? named : null;
  if (!type && (base === '' || base === 'application/octet-stream' || base === 'binary/octet-stream')) type = sniffBinary(bytes);
  if (!type) return null;
  // SVG and CSS are text a browser could be talked into rendering as HTML; a body that starts
  // like markup is not what it claims to be.
  if ((type === 'image/svg+xml' || type === 'text/css') && looksLikeMarkup(bytes)) return null;
  return type;
}

export function isCss(type: string): boolean {
  return type === 'text/css';
}
