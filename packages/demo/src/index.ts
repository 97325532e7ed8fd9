import { fileURLToPath } from 'node:url';

/**
 * Absolute path of the demo shop's static files. The server serves this folder at `/` and
 * replaces `%SAMEPAGE_SITE_KEY%` in `.html` files with the demo site's key.
 *
 * @example
 *   import { demoPublicDir } from '@samepage/demo';
 *   app.register(fastifyStatic, { root: demoPublicDir });
 */
export const demoPublicDir: string = fileURLToPath(new URL('../public/', import.meta.url));

/** The placeholder in the demo's HTML that the server replaces with the demo site key. */
export const SITE_KEY_PLACEHOLDER = '%SAMEPAGE_SITE_KEY%';
