/**
 * The payload of a DOM delta: the batch of rrweb events of one animation frame, in a compact,
 * lossless-for-replay JSON form that deflates about a quarter smaller than the plain event array
 * (PROTOCOL.md, "Compact deltas"; docs/PERFORMANCE.md has the measurements). A keyframe's
 * payload stays a plain JSON array of rrweb events, and so do old recordings: `expandEventBatch`
 * reads both.
 *
 *   { "t": base timestamp, "e": [ item, ... ] }
 *
 * An item is an rrweb event object, unchanged, or one of these tuples (dt = timestamp - t):
 *   [0, dt, m]                 mutation; m has, when not empty:
 *       t: [[id...], [value...]]            texts
 *       a: { name: [[id...], [value...]] }  attributes, grouped by attribute name
 *       r: [parentId, id, ...]              removes
 *       d: [parentId - id, nextId - id | null, id - previous id, node without id, ...]  adds
 *   [1, dt, x, y, id, timeOffset, ...]      mouse move positions (x, y in whole CSS pixels)
 *   [3, dt, id, x, y]                       scroll
 * Columns put like values side by side and the ids of added nodes become small deltas (a new
 * node's id is usually the previous one + 1, its parent usually just before it), which is what
 * deflate is good at. Events of other kinds, or with fields this form does not know, are sent as
 * they are.
 */
/** What the compactor reads: any rrweb event. */
export interface EventLike {
  type: number;
  timestamp: number;
  data?: unknown;
}

export interface BatchEvent extends EventLike {
  [key: string]: unknown;
}

export interface CompactBatch {
  t: number;
  e: unknown[];
}

type Obj = Record<string, unknown>;
type Node = Obj & { id: number };

const MUTATION_KEYS = ['source', 'texts', 'attributes', 'removes', 'adds'];

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
/** Keys set to undefined do not count: JSON leaves them out (rrweb's events carry some). */
const onlyKeys = (o: Obj, keys: readonly string[]): boolean => Object.keys(o).every((k) => keys.includes(k) || o[k] === undefined);
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

/** The mutation's compact form, or null when it has a shape this form does not cover. */
function compactMutation(data: Obj, lastAdded: { id: number }): Obj | null {
  if (!onlyKeys(data, MUTATION_KEYS)) return null;
  const texts = list(data['texts']);
  const attributes = list(data['attributes']);
  const removes = list(data['removes']);
  const adds = list(data['adds']);
  if (!texts.every((x) => isObj(x) && onlyKeys(x, ['id', 'value']) && isNum(x['id']))) return null;
  if (!attributes.every((x) => isObj(x) && onlyKeys(x, ['id', 'attributes']) && isNum(x['id']) && isObj(x['attributes']))) return null;
  if (!removes.every((x) => isObj(x) && onlyKeys(x, ['parentId', 'id']) && isNum(x['parentId']) && isNum(x['id']))) return null;
  const addOk = (x: unknown): boolean =>
    isObj(x) && onlyKeys(x, ['parentId', 'nextId', 'node']) && isNum(x['parentId']) && (x['nextId'] === null || isNum(x['nextId'])) && isObj(x['node']) && isNum(x['node']['id']);
  if (!adds.every(addOk)) return null;
  const m: Obj = {};
  if (texts.length) m['t'] = [texts.map((x) => (x as Obj)['id']), texts.map((x) => (x as Obj)['value'])];
  if (attributes.length) {
    const byName: Record<string, [unknown[], unknown[]]> = {};
    for (const x of attributes as Obj[]) {
      for (const [name, value] of Object.entries(x['attributes'] as Obj)) {
        if (value === undefined) continue; // JSON would drop it too
        const column = (byName[name] ??= [[], []]);
        column[0].push(x['id']);
        column[1].push(value);
      }
    }
    m['a'] = byName;
  }
  if (removes.length) m['r'] = (removes as Obj[]).flatMap((x) => [x['parentId'], x['id']]);
  if (adds.length) {
    m['d'] = (adds as Obj[]).flatMap((x) => {
      const { id, ...node } = x['node'] as Node;
      const out = [(x['parentId'] as number) - id, x['nextId'] === null ? null : (x['nextId'] as number) - id, id - lastAdded.id, node];
      lastAdded.id = id;
      return out;
    });
  }
  return m;
}

function compactEvent(event: EventLike, base: number, lastAdded: { id: number }): unknown {
  const dt = event.timestamp - base;
  const data = event.data;
  if (event.type !== 3 || !isObj(data) || !onlyKeys(event as unknown as Obj, ['type', 'timestamp', 'data'])) return event;
  const source = data['source'];
  if (source === 0) {
    const m = compactMutation(data, lastAdded);
    return m ? [0, dt, m] : event;
  }
  if (source === 1 && onlyKeys(data, ['source', 'positions'])) {
    const positions = list(data['positions']);
    const ok = positions.length > 0 && positions.every((p) => isObj(p) && onlyKeys(p, ['x', 'y', 'id', 'timeOffset']) && isNum(p['x']) && isNum(p['y']) && isNum(p['id']) && isNum(p['timeOffset']));
    return ok ? [1, dt, ...(positions as Obj[]).flatMap((p) => [Math.round(p['x'] as number), Math.round(p['y'] as number), p['id'], p['timeOffset']])] : event;
  }
  if (source === 3 && onlyKeys(data, ['source', 'id', 'x', 'y']) && isNum(data['id']) && isNum(data['x']) && isNum(data['y'])) return [3, dt, data['id'], data['x'], data['y']];
  return event;
}

/**
 * @example
 *   const payload = JSON.stringify(compactEventBatch(events)); // a delta's payload, before deflate
 */
export function compactEventBatch(events: readonly EventLike[]): CompactBatch {
  const base = events[0]?.timestamp ?? 0;
  const lastAdded = { id: 0 };
  return { t: base, e: events.map((event) => compactEvent(event, base, lastAdded)) };
}

function expandMutation(m: Obj, lastAdded: { id: number }): Obj | null {
  const texts: Obj[] = [];
  const attributes: Obj[] = [];
  const removes: Obj[] = [];
  const adds: Obj[] = [];
  const t = list(m['t']);
  const ids = list(t[0]);
  const values = list(t[1]);
  ids.forEach((id, i) => texts.push({ id, value: values[i] ?? null }));
  if (isObj(m['a'])) {
    const byId = new Map<unknown, Obj>();
    for (const [name, column] of Object.entries(m['a'])) {
      const [cIds, cValues] = [list(list(column)[0]), list(list(column)[1])];
      cIds.forEach((id, i) => {
        let entry = byId.get(id);
        if (!entry) byId.set(id, (entry = { id, attributes: {} }));
        (entry['attributes'] as Obj)[name] = cValues[i] ?? null;
      });
    }
    attributes.push(...byId.values());
  }
  const r = list(m['r']);
  for (let i = 0; i + 1 < r.length; i += 2) removes.push({ parentId: r[i], id: r[i + 1] });
  const d = list(m['d']);
  for (let i = 0; i + 3 < d.length; i += 4) {
    const [parent, next, step, node] = [d[i], d[i + 1], d[i + 2], d[i + 3]];
    if (!isNum(parent) || !(next === null || isNum(next)) || !isNum(step) || !isObj(node)) return null;
    const id = lastAdded.id + step;
    lastAdded.id = id;
    adds.push({ parentId: parent + id, nextId: next === null ? null : next + id, node: { ...node, id } });
  }
  return { source: 0, texts, attributes, removes, adds };
}

function expandItem(item: unknown, base: number, lastAdded: { id: number }): BatchEvent | null {
  if (isObj(item)) return isNum(item['type']) && isNum(item['timestamp']) ? (item as BatchEvent) : null;
  if (!Array.isArray(item) || !isNum(item[1])) return null;
  const [kind, dt] = item as [unknown, number];
  const timestamp = base + dt;
  if (kind === 0 && isObj(item[2])) {
    const data = expandMutation(item[2], lastAdded);
    return data && { type: 3, data, timestamp };
  }
  if (kind === 1) {
    const positions: Obj[] = [];
    for (let i = 2; i + 3 < item.length; i += 4) positions.push({ x: item[i], y: item[i + 1], id: item[i + 2], timeOffset: item[i + 3] });
    return { type: 3, data: { source: 1, positions }, timestamp };
  }
  if (kind === 3) return { type: 3, data: { source: 3, id: item[2], x: item[3], y: item[4] }, timestamp };
  return null;
}

/**
 * The rrweb events of a parsed payload: a plain event array (keyframes, old recordings) or a
 * compact batch. Null when it is neither.
 *
 * @example
 *   const events = expandEventBatch(JSON.parse(text)); // BatchEvent[] | null
 */
export function expandEventBatch(value: unknown): BatchEvent[] | null {
  if (Array.isArray(value)) return value.every((e) => isObj(e) && isNum(e['type']) && isNum(e['timestamp'])) ? (value as BatchEvent[]) : null;
  const lastAdded = { id: 0 };
  if (!isObj(value) || !isNum(value['t']) || !Array.isArray(value['e'])) return null;
  const out: BatchEvent[] = [];
  for (const item of value['e']) {
    const event = expandItem(item, value['t'], lastAdded);
    if (!event) return null;
    out.push(event);
  }
  return out;
}

const textDecoder = /* @__PURE__ */ new TextDecoder();

/** `expandEventBatch` of an uncompressed payload's UTF-8 JSON; null when it does not parse. */
export function parseEventBatch(payload: Uint8Array): BatchEvent[] | null {
  try {
    return expandEventBatch(JSON.parse(textDecoder.decode(payload)));
  } catch {
    return null;
  }
}
