/**
 * One still snapshot of the page for "Leave a message": the capture bundle's recorder and
 * redaction (recorder.ts, redaction.ts, event-scrubber.ts), started and stopped at once. rrweb
 * emits Meta + FullSnapshot synchronously inside record(), so the snapshot is complete when it
 * returns; every event goes through the same redaction gate as a live session before it is kept.
 */
import { gzipSync } from 'fflate';
import { scrubEvent } from './event-scrubber.ts';
import { getNodeById, startRecorder } from './recorder.ts';
import { createRedactionPolicy } from './redaction.ts';
import { EventType, type RecordedEvent } from './rrweb-events.ts';
import type { RedactionRules } from './redaction.ts';
import { json } from './safe-json.ts';
import type { SnapshotTaker } from './followup-types.ts';

/**
 * @example
 *   const events = takePageSnapshot({ redact: ['.account-no'], block: [], allow: [] });
 */
export function takePageSnapshot(rules: Partial<RedactionRules>): RecordedEvent[] | null {
  const policy = createRedactionPolicy(rules);
  const events: RecordedEvent[] = [];
  let failed = false;
  const recorder = startRecorder({
    policy,
    canvasFps: 0,
    onError: () => {
      failed = true;
    },
    emit(event) {
      if (event.type === EventType.Meta || event.type === EventType.FullSnapshot) events.push(scrubEvent(policy, getNodeById, event));
    },
  });
  recorder?.stop();
  return !failed && events.some((e) => e.type === EventType.FullSnapshot) ? events : null;
}

/** base64 of gzip(text): CompressionStream off the main thread, fflate where it is missing. */
export async function gzipBase64(text: string): Promise<string> {
  const bytes = new TextEncoder().encode(text);
  let out: Uint8Array;
  try {
    const stream = new Blob([bytes as BlobPart]).stream().pipeThrough(new CompressionStream('gzip'));
    out = new Uint8Array(await new Response(stream).arrayBuffer());
  } catch {
    out = gzipSync(bytes);
  }
  let binary = '';
  for (let i = 0; i < out.length; i += 0x8000) binary += String.fromCharCode(...out.subarray(i, i + 0x8000));
  return btoa(binary);
}

/** What snapshot.js registers: the snapshot, ready to send (base64 of gzip-compressed JSON events). */
export const takeCompressedSnapshot: SnapshotTaker = async (rules) => {
  const events = takePageSnapshot(rules);
  return events ? gzipBase64(json().stringify(events)) : null;
};
