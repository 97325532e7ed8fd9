#!/usr/bin/env node
// A helpdesk integration in one file: receives Samepage webhooks, checks their signature, and
// on session.started asks the API for a join code and prints a link that opens the console
// straight into the session (paste it into the ticket).
//
//   SAMEPAGE_URL=https://cobrowse.example.com   the Samepage server
//   SAMEPAGE_TOKEN=sp_…                          an API token with session.invite
//   WEBHOOK_SECRET=whsec_…                       the secret shown when the webhook was created
//   PORT=4000                                    where this receiver listens (POST /samepage)
//
// No dependencies: node examples/helpdesk-webhook.mjs
import crypto from 'node:crypto';
import http from 'node:http';

const { SAMEPAGE_URL, SAMEPAGE_TOKEN, WEBHOOK_SECRET } = process.env;
const PORT = Number(process.env.PORT ?? 4000);
if (!SAMEPAGE_URL || !SAMEPAGE_TOKEN || !WEBHOOK_SECRET) {
  console.error('Set SAMEPAGE_URL, SAMEPAGE_TOKEN and WEBHOOK_SECRET.');
  process.exit(1);
}

/** Samepage-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>. */
function verify(header, body, toleranceSec = 300) {
  const parts = Object.fromEntries(String(header ?? '').split(',').map((p) => p.split('=', 2)));
  const t = Number(parts.t);
  if (!Number.isInteger(t) || !parts.v1 || Math.abs(Date.now() / 1000 - t) > toleranceSec) return false;
  const expected = crypto.createHmac('sha256', WEBHOOK_SECRET).update(`${t}.${body}`).digest();
  const given = Buffer.from(parts.v1, 'hex');
  return given.length === expected.length && crypto.timingSafeEqual(given, expected);
}

async function joinLink(sessionId) {
  const res = await fetch(`${SAMEPAGE_URL}/api/v1/sessions/${encodeURIComponent(sessionId)}/codes`, {
    method: 'POST',
    headers: { authorization: `Bearer ${SAMEPAGE_TOKEN}` },
  });
  const body = await res.json();
  if (!res.ok) throw new Error(`${res.status} ${body.error?.code}: ${body.error?.message}`);
  return body.joinUrl; // `${SAMEPAGE_URL}/console/join/${body.code}`
}

const server = http.createServer((req, res) => {
  if (req.method !== 'POST' || req.url !== '/samepage') return res.writeHead(404).end();
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', async () => {
    const body = Buffer.concat(chunks).toString('utf8');
    if (!verify(req.headers['samepage-signature'], body)) return res.writeHead(401).end('bad signature');
    // Answer fast; Samepage retries (with backoff) anything but a 2xx.
    res.writeHead(204).end();
    const event = JSON.parse(body);
    if (event.type !== 'session.started') return;
    try {
      const link = await joinLink(event.data.sessionId);
      const who = event.data.visitor?.name ?? 'A customer';
      console.log(`${who} started a co-browsing session on ${event.data.page.url}. Join: ${link}`);
    } catch (err) {
      console.error(`could not get a join code: ${err.message}`);
    }
  });
});
server.listen(PORT, () => console.log(`helpdesk receiver on http://localhost:${PORT}/samepage`));
