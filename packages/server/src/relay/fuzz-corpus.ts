/**
 * Random and mutated socket input for the fuzz test: a valid sample of every client message
 * type, mutations of them (wrong types, huge numbers, NaN-ish strings, deep nesting, prototype
 * keys, truncation), random text and bytes, and broken binary DOM frames. Seeded, so a failing
 * run can be replayed with FUZZ_SEED.
 */
import { DOM_FRAME_KIND, encodeDomFrame, FLAG_DEFLATE, FLAG_KEYFRAME, PROTOCOL_VERSION } from '@samepage/protocol';

export type Rng = () => number;

/** mulberry32: small, fast, good enough to pick mutations. */
export function createRng(seed: number): Rng {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const pick = <T>(rng: Rng, items: readonly T[]): T => items[Math.floor(rng() * items.length)]!;
const target = { id: 5, x: 10, y: 20 };

/** One valid message of every client message type. */
export function validSamples(siteKey: string): Array<Record<string, unknown>> {
  const page = { url: 'http://127.0.0.1/', title: 'Fuzz' };
  return [
    { type: 'host_hello', v: PROTOCOL_VERSION, siteKey, page },
    { type: 'host_hello', v: PROTOCOL_VERSION, siteKey, page, resume: { sessionId: 'ses_x', token: 'tok' }, visitor: { id: 'v1', name: 'N', email: 'n@x.test' } },
    { type: 'agent_hello', v: PROTOCOL_VERSION },
    { type: 'guest_hello', v: PROTOCOL_VERSION, token: 'tok', name: 'Friend' },
    { type: 'visitor_hello', v: PROTOCOL_VERSION, siteKey, page, identity: { id: 'v1' } },
    { type: 'visitor_update', identity: { id: 'v2', name: 'Someone' } },
    { type: 'session_start' },
    { type: 'session_start', requestId: 'req_1' },
    { type: 'session_end' },
    { type: 'host_unload' },
    { type: 'host_visibility', visible: false, idle: true },
    { type: 'host_page', page: { url: 'http://127.0.0.1/next', title: 'Next' } },
    { type: 'join', code: '123456' },
    { type: 'join_session', sessionId: 'ses_1' },
    { type: 'leave' },
    { type: 'pointer', x: 1, y: 2 },
    { type: 'pointer', x: null, y: null },
    { type: 'keyframe_request' },
    { type: 'control_request' },
    { type: 'control_release' },
    { type: 'control_grant', participantId: 'par_1' },
    { type: 'control_deny', participantId: 'par_1' },
    { type: 'control_revoke' },
    { type: 'control_action', actionId: 1, action: { kind: 'click', target } },
    { type: 'control_action', actionId: 2, action: { kind: 'type', target, text: 'hi' } },
    { type: 'control_action', actionId: 3, action: { kind: 'navigate', to: 'url', url: 'http://127.0.0.1/x' } },
    { type: 'control_result', participantId: 'par_1', actionId: 1, ok: false, failure: 'node_gone' },
    { type: 'chat_send', clientId: 'c1', text: 'hello' },
    { type: 'chat_typing', typing: true },
    { type: 'chat_sync', afterSeq: 0 },
    { type: 'draw', op: { kind: 'laser', points: [[1, 2]] } },
    { type: 'draw', op: { kind: 'stroke', id: 's1', color: '#ff0000', points: [[1, 2]] } },
    { type: 'draw', op: { kind: 'rect', id: 'r1', color: '#ff0000', x: 1, y: 2, width: 3, height: 4 } },
    { type: 'draw', op: { kind: 'clear' } },
    { type: 'invite_create' },
    { type: 'guest_invite_create' },
    { type: 'visitors_subscribe' },
    { type: 'cobrowse_request', visitorId: 'vis_1' },
    { type: 'cobrowse_answer', requestId: 'req_1', accepted: true },
    { type: 'e2ee_recording_key', epoch: 1, wrapped: 'AAAA' },
  ];
}

function deepNest(depth: number, key: string | null): unknown {
  let value: unknown = 1;
  for (let i = 0; i < depth; i++) value = key === null ? [value] : { [key]: value };
  return value;
}

/** Values that have broken decoders somewhere: wrong types, extremes, NaN-ish strings, nesting. */
function weirdValue(rng: Rng): unknown {
  return pick(rng, [
    () => null,
    () => true,
    () => -1,
    () => 1e308,
    () => -1e308,
    () => 2 ** 53 + 2,
    () => 0.5,
    () => 'NaN',
    () => 'Infinity',
    () => '-0',
    () => '',
    () => '\u0000\ud800',
    () => '<script>top.__pwned=1</script>',
    () => 'x'.repeat(Math.floor(rng() * 5000)),
    () => [],
    () => ({}),
    () => deepNest(Math.floor(rng() * 2000), pick(rng, [null, 'a', 'type'])),
    () => ({ __proto__: { polluted: true } }),
    () => ({ constructor: { prototype: { polluted: true } } }),
    () => String(Math.floor(rng() * 1e6)).padStart(6, '0'),
  ])();
}

/** A mutated copy of a valid message, as a JSON text frame. */
export function mutateMessage(rng: Rng, sample: Record<string, unknown>, types: readonly string[]): string {
  const msg: Record<string, unknown> = structuredClone(sample);
  const keys = Object.keys(msg);
  const mutations = 1 + Math.floor(rng() * 3);
  for (let i = 0; i < mutations; i++) {
    const key = pick(rng, keys);
    switch (Math.floor(rng() * 7)) {
      case 0:
        msg[key] = weirdValue(rng);
        break;
      case 1:
        delete msg[key];
        break;
      case 2:
        msg[pick(rng, ['extra', 'v', 'code', 'sessionId', 'siteKey', 'action'])] = weirdValue(rng);
        break;
      case 3:
        msg.type = pick(rng, [...types, 'TYPE', '', 'error', 'welcome', 'joined', 'toString', '__proto__']);
        break;
      case 4:
        for (const k of keys) if (msg[k] && typeof msg[k] === 'object') (msg[k] as Record<string, unknown>)[pick(rng, ['kind', 'x', 'id', 'url'])] = weirdValue(rng);
        break;
      case 5:
        msg.v = pick(rng, [0, 2, -1, '1', 1.0000001, null]);
        break;
      default:
        msg.type = weirdValue(rng);
    }
  }
  let text = JSON.stringify(msg);
  // JSON.stringify drops an own __proto__ key made by a literal; write one that JSON.parse keeps.
  if (rng() < 0.15) text = text.replace(/^\{/, '{"__proto__":{"polluted":true},"constructor":{"prototype":{"polluted":true}},');
  if (rng() < 0.15) text = text.slice(0, Math.floor(rng() * text.length));
  return text;
}

export function randomBytes(rng: Rng, max: number): Buffer {
  const out = Buffer.alloc(Math.floor(rng() * max));
  for (let i = 0; i < out.length; i++) out[i] = Math.floor(rng() * 256);
  return out;
}

/** Broken or hostile binary frames: short headers, wrong kind or flags, garbage payloads. */
export function mutateBinaryFrame(rng: Rng): Buffer {
  const payload = randomBytes(rng, 256);
  const valid = Buffer.from(encodeDomFrame({ flags: pick(rng, [FLAG_DEFLATE, FLAG_KEYFRAME | FLAG_DEFLATE, 0]), epoch: Math.floor(rng() * 2 ** 32), seq: Math.floor(rng() * 2 ** 32) }, payload));
  switch (Math.floor(rng() * 5)) {
    case 0:
      return valid.subarray(0, Math.floor(rng() * 12));
    case 1:
      valid[0] = pick(rng, [0, 2, 255, DOM_FRAME_KIND]);
      valid[1] = Math.floor(rng() * 256);
      return valid;
    case 2:
      valid[2] = 1 + Math.floor(rng() * 255);
      return valid;
    case 3:
      return randomBytes(rng, 64);
    default:
      return valid;
  }
}

/** Any text frame at all: random characters, or bytes that are not UTF-8. */
export function randomText(rng: Rng): string | Buffer {
  if (rng() < 0.5) return randomBytes(rng, 200);
  return pick(rng, ['', '{', '[]', 'null', '1', '"x"', '{"type":null}', '{"type":{}}', '\u0000', '{"type":"join","code":"1"'.repeat(3)]);
}
