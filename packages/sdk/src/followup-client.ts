/**
 * followup.js's calls to the server's visitor endpoints (POST /followup/*). JSON goes as
 * text/plain, a "simple" cross-origin request: no CORS preflight, no cookies. Failures become
 * SamepageErrors with the server's error code.
 */
import type { SamepageError } from './api-types.ts';
import { json } from './safe-json.ts';

export type Post = <T>(path: string, body: object) => Promise<T>;

/** @example const post = createPost('https://help.example.com'); await post('/followup/status', { siteKey }); */
export function createPost(server: string): Post {
  return async <T>(path: string, body: object): Promise<T> => {
    let response: Response;
    try {
      response = await fetch(server + path, { method: 'POST', mode: 'cors', credentials: 'omit', headers: { 'content-type': 'text/plain' }, body: json().stringify(body) });
    } catch {
      throw { code: 'sdk_connection_lost', message: 'The Samepage server could not be reached.' } satisfies SamepageError;
    }
    const text = await response.text().catch(() => '');
    let parsed: unknown = null;
    try {
      parsed = text ? json().parse(text) : null;
    } catch {
      parsed = null;
    }
    if (!response.ok) {
      const error = (parsed as { error?: { code?: unknown; message?: unknown } } | null)?.error;
      throw {
        code: (typeof error?.code === 'string' ? error.code : 'internal') as SamepageError['code'],
        message: typeof error?.message === 'string' ? error.message : `The server answered ${response.status}.`,
      } satisfies SamepageError;
    }
    return parsed as T;
  };
}
