/**
 * POST /frames/verify (docs/SECURITY.md, "Framed pages"): a framed page shares itself with its
 * parent only when the parent's origin is allowed for the framed page's site or another site of
 * its tenant; the answer carries the rules the frame redacts with. A real server and SQLite file.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, type RunningServer } from '../server.ts';

const PARTNER = 'https://pay.partner.test';
const SHOP = 'https://shop.example.test';

/** What frame-child.ts sends: JSON as text/plain, from the framed page's origin. */
async function verify(server: RunningServer, body: unknown, origin: string | null = PARTNER) {
  const res = await fetch(`${server.url}/frames/verify`, {
    method: 'POST',
    headers: { 'content-type': 'text/plain', ...(origin ? { origin } : {}) },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as { redaction?: { redact: string[]; block: string[]; allow: string[] }; error?: { code: string } }, cors: res.headers.get('access-control-allow-origin') };
}

test('a framed page learns whether its parent’s origin is allowed for its site or tenant, with the rules to redact by', async (t) => {
  const server = await startServer({ log: false });
  t.after(() => server.close());
  const demo = await server.store.findSiteByKey(server.demoSiteKey);
  assert.ok(demo);
  const tenantId = demo.tenantId;
  const partner = await server.store.createSite({ tenantId, name: 'PayPartner', allowedOrigins: [PARTNER, 'https://*.partner.test'], redaction: { redact: ['.iban'], block: ['.card'], allow: ['.plan'] } });
  await server.store.createSite({ tenantId, name: 'Shop', allowedOrigins: [SHOP], redaction: { redact: ['.note'], block: ['.ssn'], allow: ['*'] } });
  const other = await server.store.createTenant('Elsewhere Ltd');
  await server.store.createSite({ tenantId: other.id, name: 'Framer', allowedOrigins: ['https://framer.test'] });
  const key = partner.siteKey;

  // Allowed by the framed page's own site (exact, and a wildcard): its own rules.
  for (const parentOrigin of [PARTNER, 'https://checkout.partner.test']) {
    const own = await verify(server, { siteKey: key, parentOrigin });
    assert.equal(own.status, 200, JSON.stringify(own.body));
    assert.deepEqual(own.body.redaction, { redact: ['.iban'], block: ['.card'], allow: ['.plan'] });
    assert.equal(own.cors, PARTNER);
  }

  // Allowed by another site of the tenant: that site's redact and block rules are added, never its allow rules.
  const viaTenant = await verify(server, { siteKey: key, parentOrigin: SHOP });
  assert.equal(viaTenant.status, 200, JSON.stringify(viaTenant.body));
  assert.deepEqual(viaTenant.body.redaction, { redact: ['.iban', '.note'], block: ['.card', '.ssn'], allow: ['.plan'] });

  // Refused: another tenant's origin, an unknown one, and values that are not an origin as a browser writes it.
  for (const parentOrigin of ['https://framer.test', 'https://evil.test', 'null', `${SHOP}/`, 'HTTPS://SHOP.EXAMPLE.TEST', 'javascript:alert(1)', `${SHOP}:443`]) {
    const refused = await verify(server, { siteKey: key, parentOrigin });
    assert.equal(refused.status, 403, parentOrigin);
    assert.equal(refused.body.error?.code, 'frame_parent_not_allowed', parentOrigin);
    assert.equal(refused.body.redaction, undefined);
    assert.equal(refused.cors, PARTNER, 'the page can read the refusal');
  }

  // The framed page itself must be on one of its site's origins, as for every SDK request.
  assert.equal((await verify(server, { siteKey: key, parentOrigin: SHOP }, 'https://evil.test')).body.error?.code, 'origin_not_allowed');
  assert.equal((await verify(server, { siteKey: key, parentOrigin: SHOP }, null)).body.error?.code, 'origin_not_allowed');
  assert.equal((await verify(server, { siteKey: 'pk_nope', parentOrigin: SHOP })).body.error?.code, 'unknown_site_key');
  assert.equal((await verify(server, { siteKey: key })).body.error?.code, 'invalid_request');
  assert.equal((await verify(server, 'not json')).body.error?.code, 'bad_frame');
});
