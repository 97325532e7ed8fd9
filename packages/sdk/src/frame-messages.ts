/**
 * The postMessage vocabulary between a top page that runs a session and the cross-origin frames
 * that embed the SDK (frame-parent.ts, frame-child.ts, and the loader's hook). Strings, not
 * objects: the loader matches the hello with one comparison, and nothing here carries page data.
 */

/** Parent → frame: "a session runs here; share your page (again)". Sent after every keyframe. */
export const FRAME_HELLO = 'samepage:frame';
/** Parent → frame: the session ended; stop recording. */
export const FRAME_STOP = 'samepage:frame-stop';
/** On the frame's rrweb messages to the parent: redacted by our SDK with the frame site's rules. */
export const FRAME_MARK = 'samepage';
/** Where the frame asks the server whether the parent's origin may see it. */
export const FRAME_VERIFY_PATH = '/frames/verify';
