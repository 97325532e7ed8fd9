import fs from 'node:fs/promises';
import path from 'node:path';
import type { FastifyReply } from 'fastify';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.woff': 'font/woff',
  '.map': 'application/json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
};

/** Resolves a URL path inside root, refusing anything that climbs out of it. */
export function resolveInside(root: string, urlPath: string): string | null {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath.split('?')[0] ?? '');
  } catch {
    return null;
  }
  if (decoded.includes('\0')) return null;
  const full = path.resolve(root, '.' + path.posix.normalize('/' + decoded));
  return full === root || full.startsWith(root + path.sep) ? full : null;
}

export interface ServeOptions {
  /** Rewrites text files before sending (e.g. to insert the demo's site key). */
  transform?: (file: string, body: string) => string;
  cacheControl?: string;
  headers?: Record<string, string>;
}

/** Sends a file from disk; returns false when it does not exist. */
export async function sendFile(reply: FastifyReply, file: string, options: ServeOptions = {}): Promise<boolean> {
  let stat;
  try {
    stat = await fs.stat(file);
  } catch {
    return false;
  }
  if (!stat.isFile()) return false;
  const ext = path.extname(file).toLowerCase();
  const type = TYPES[ext] ?? 'application/octet-stream';
  let body: Buffer | string = await fs.readFile(file);
  if (options.transform && (ext === '.html' || ext === '.js' || ext === '.css')) body = options.transform(file, body.toString('utf8'));
  reply.header('content-type', type);
  reply.header('x-content-type-options', 'nosniff');
  reply.header('cache-control', options.cacheControl ?? 'no-cache');
  for (const [k, v] of Object.entries(options.headers ?? {})) reply.header(k, v);
  await reply.send(body);
  return true;
}
