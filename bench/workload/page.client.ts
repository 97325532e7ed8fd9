/**
 * Runs inside the customer's page (bundled as an IIFE by bench/lib/bundle.ts).
 * window.__bench.startProbe()/stopProbe(): the latency probe's marker writer.
 * window.__bench.runWorkload(): the steady workload (text/attribute changes, insertions/removals, scrolls).
 */
export interface WorkloadOptions {
  durationMs: number;
  intervalMs: number;
  changes: number;
  structural: number;
}

export interface WorkloadReport {
  ticks: number;
  changes: number;
  structural: number;
  scrolls: number;
  elapsedMs: number;
  /** Largest delay of a tick behind its schedule (main thread was busy). Late ticks are not made up. */
  maxTickLagMs: number;
}

export interface BenchPageApi {
  now(): number;
  startProbe(intervalMs: number): void;
  stopProbe(): Array<[number, number]>;
  runWorkload(options: WorkloadOptions): Promise<WorkloadReport>;
  nodeCount(): number;
  /** Longest gap (ms) of a MessageChannel heartbeat while `fn` runs and for `settleMs` after. */
  measureBlocking(settleMs: number): { stop(): BlockingReport };
  /** Binary WebSocket sends seen so far: [time, flags byte (DOM frame header byte 1), bytes]. */
  binarySends(): Array<[number, number, number]>;
}

declare global {
  interface Window {
    __bench: BenchPageApi;
  }
}

const now = (): number => performance.timeOrigin + performance.now();

const WORDS = 'alpha beta gamma delta order parcel refund status ready shipped pending total price update'.split(' ');
let seed = 7;
const rand = (): number => {
  seed = (seed * 1103515245 + 12345) & 0x7fffffff;
  return seed / 0x7fffffff;
};
const pick = <T>(list: readonly T[]): T => list[Math.floor(rand() * list.length)] as T;

let probeTimer: ReturnType<typeof setInterval> | undefined;
let probeMarks: Array<[number, number]> = [];
let probeSeq = 0;

function startProbe(intervalMs: number): void {
  const marker = document.getElementById('bench-marker');
  if (!marker) throw new Error('#bench-marker missing');
  const text = marker.firstChild as Text;
  probeMarks = [];
  clearInterval(probeTimer);
  probeTimer = setInterval(() => {
    probeSeq += 1;
    text.data = String(probeSeq);
    probeMarks.push([probeSeq, now()]);
  }, intervalMs);
}

function stopProbe(): Array<[number, number]> {
  clearInterval(probeTimer);
  probeTimer = undefined;
  return probeMarks;
}

function runWorkload(options: WorkloadOptions): Promise<WorkloadReport> {
  const pool = Array.from(document.querySelectorAll<HTMLElement>('.bm'));
  const lists = Array.from(document.querySelectorAll<HTMLElement>('.bench-list'));
  const scrollers = Array.from(document.querySelectorAll<HTMLElement>('.bench-scroll'));
  const initialSizes = lists.map((l) => l.childElementCount);
  const report: WorkloadReport = { ticks: 0, changes: 0, structural: 0, scrolls: 0, elapsedMs: 0, maxTickLagMs: 0 };
  const maxScroll = Math.max(0, document.documentElement.scrollHeight - innerHeight);
  let scrollY = 0;
  let scrollDir = 1;
  let scrollerIndex = 0;

  const change = (i: number): void => {
    for (let tries = 0; tries < 5; tries++) {
      const el = pick(pool);
      if (!el.isConnected) continue;
      if (i % 2 === 0) {
        const t = el.firstChild;
        if (t && t.nodeType === Node.TEXT_NODE) (t as Text).data = `${pick(WORDS)} ${Math.floor(rand() * 1000)}`;
        else el.textContent = pick(WORDS);
      } else if (i % 4 === 1) {
        el.classList.toggle('hot');
      } else {
        el.setAttribute('data-v', String(Math.floor(rand() * 10000)));
      }
      report.changes += 1;
      return;
    }
  };

  const structural = (): void => {
    if (lists.length === 0) return;
    const index = Math.floor(rand() * lists.length);
    const list = lists[index] as HTMLElement;
    const size = list.childElementCount;
    const base = initialSizes[index] ?? 0;
    const insert = size <= base - 10 ? true : size >= base + 10 ? false : rand() < 0.5;
    if (insert) {
      const li = document.createElement('li');
      const span = document.createElement('span');
      span.className = 'bm';
      span.textContent = `${pick(WORDS)} ${pick(WORDS)}`;
      li.append(span, ` ${pick(WORDS)} ${Math.floor(rand() * 100)}`);
      const ref = list.children[Math.floor(rand() * (size + 1))] ?? null;
      list.insertBefore(li, ref);
      pool.push(span);
    } else if (size > 0) {
      list.children[Math.floor(rand() * size)]?.remove();
    }
    report.structural += 1;
  };

  const scroll = (): void => {
    scrollY += scrollDir * 37;
    if (scrollY > maxScroll) (scrollY = maxScroll), (scrollDir = -1);
    if (scrollY < 0) (scrollY = 0), (scrollDir = 1);
    window.scrollTo({ top: scrollY, behavior: 'instant' });
    const s = scrollers[scrollerIndex++ % Math.max(1, scrollers.length)];
    if (s) s.scrollTop = (s.scrollTop + 23) % Math.max(1, s.scrollHeight - s.clientHeight);
    report.scrolls += 1;
  };

  return new Promise((resolve) => {
    const start = performance.now();
    let next = start;
    const tick = (): void => {
      const t = performance.now();
      report.maxTickLagMs = Math.max(report.maxTickLagMs, t - next);
      for (let i = 0; i < options.changes; i++) change(i);
      for (let i = 0; i < options.structural; i++) structural();
      scroll();
      report.ticks += 1;
      // A late tick is not made up for with a burst: the workload stays at most one batch per 16 ms.
      next = Math.max(next + options.intervalMs, performance.now());
      if (t - start >= options.durationMs) {
        report.elapsedMs = performance.now() - start;
        resolve(report);
        return;
      }
      setTimeout(tick, Math.max(0, next - performance.now()));
    };
    tick();
  });
}

export interface BlockingReport {
  longestMs: number;
  /** The second-longest gap: with Samepage, the longest block after rrweb's own snapshot. */
  secondMs: number;
  totalOver50Ms: number;
}

function measureBlocking(settleMs: number): { stop(): BlockingReport } {
  void settleMs;
  const channel = new MessageChannel();
  let last = performance.now();
  let longest = 0;
  let second = 0;
  let over = 0;
  const note = (gap: number): void => {
    if (gap > longest) (second = longest), (longest = gap);
    else if (gap > second) second = gap;
  };
  let running = true;
  channel.port1.onmessage = () => {
    const t = performance.now();
    const gap = t - last;
    last = t;
    note(gap);
    if (gap > 50) over += gap - 50;
    if (running) channel.port2.postMessage(0);
  };
  channel.port2.postMessage(0);
  return {
    stop() {
      running = false;
      const t = performance.now();
      note(t - last);
      return { longestMs: longest, secondMs: second, totalOver50Ms: over };
    },
  };
}

const sends: Array<[number, number, number]> = [];
const originalSend = WebSocket.prototype.send;
WebSocket.prototype.send = function send(this: WebSocket, data: string | ArrayBufferLike | Blob | ArrayBufferView) {
  if (typeof data !== 'string') {
    const bytes =
      data instanceof ArrayBuffer ? new Uint8Array(data) : ArrayBuffer.isView(data) ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength) : null;
    if (bytes) sends.push([now(), bytes[1] ?? 0, bytes.byteLength]);
  }
  return originalSend.call(this, data);
};

window.__bench = {
  binarySends: () => sends.slice(),
  now,
  startProbe,
  stopProbe,
  runWorkload,
  nodeCount: () => {
    let n = 0;
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_ELEMENT | NodeFilter.SHOW_TEXT);
    while (walker.nextNode()) n++;
    return n + 1;
  },
  measureBlocking,
};
