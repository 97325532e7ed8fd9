/**
 * For the server: where the built console lives. Serve it at /console/ with a fallback to
 * index.html for any /console/* path (`npm run build -w @samepage/console` writes it).
 */
import { fileURLToPath } from 'node:url';

export const CONSOLE_DIST_DIR: string = fileURLToPath(new URL('../dist/', import.meta.url));
export const CONSOLE_BASE_PATH = '/console/';
