import type { TestContext } from 'node:test';
import { startServer } from '@samepage/server';

export type TestServer = Awaited<ReturnType<typeof startServer>>;

/**
 * Starts a real Samepage server on port 0 with a fresh data directory, and closes it when the
 * test ends.
 *
 * @example
 *   const server = await withServer(t, { CODE_TTL_MS: '300' });
 *   await page.goto(`${server.url}/checkout.html`);
 */
export async function withServer(t: TestContext, env: Record<string, string | undefined> = {}): Promise<TestServer> {
  const server = await startServer({ env, log: false });
  t.after(() => server.close());
  return server;
}

/** The `ws://` URL of the server's socket endpoint. */
export function socketUrl(server: Pick<TestServer, 'url'>): string {
  return server.url.replace(/^http/, 'ws').replace(/\/$/, '') + '/ws';
}
