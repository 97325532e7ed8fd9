/**
 * JSON that keeps working when the page replaced or broke its own (`JSON.stringify = …`).
 * The functions are saved when our bundle runs; if they are already broken then (the page's
 * code ran first), a hidden same-origin iframe lends those of a fresh realm. capture.js also
 * repairs an `Array.prototype.toJSON` (repairJson in pristine.ts). Limits: a page that breaks
 * JSON before our script and also blocks about:blank iframes leaves us with its JSON.
 */
export type Json = Pick<JSON, 'parse' | 'stringify'>;

const saved: Json = { parse: JSON.parse, stringify: JSON.stringify };
let chosen: Json | undefined;

/** Catches replaced functions and the classic Array.prototype.toJSON breakage ('"[1]"'). */
export const works = (j: Json): boolean => {
  try {
    return j.stringify([{ a: 'é' }]) === '[{"a":"é"}]' && j.parse('[2]')[0] === 2;
  } catch {
    return false;
  }
};

/** The JSON of a hidden same-origin iframe: a fresh realm the page's scripts never touched. */
function fromFreshRealm(): Json | undefined {
  try {
    const frame = document.createElement('iframe');
    frame.hidden = true;
    document.documentElement.appendChild(frame);
    const j = (frame.contentWindow as Window & { JSON: JSON }).JSON;
    frame.remove();
    return j;
  } catch {
    // no iframe: keep what we have
  }
}

/**
 * @example
 *   socket.send(json().stringify(message));
 */
export function json(): Json {
  return (chosen ??= works(saved) ? saved : (fromFreshRealm() ?? saved));
}

export function useJson(j: Json): void {
  chosen = j;
}
