// An esbuild plugin that lets rrweb's full snapshot be taken in slices (src/snapshot-walk.ts,
// docs/PERFORMANCE.md "Snapshot slicing"). It edits @rrweb/record's ES module as it is bundled:
// a handful of exact, anchored insertions, each of which must match exactly once, so that a
// different rrweb version fails the build instead of being patched blindly. The package on disk
// is not touched. Recorders that do not pass `sliceSnapshot: true` behave exactly as before.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const RRWEB_RECORD_VERSION = '2.1.6';
const walkModule = fileURLToPath(new URL('./src/snapshot-walk.ts', import.meta.url));

/** [what it does, the exact text, its replacement] */
const EDITS = [
  [
    'serializeNodeWithId takes a deferChildren option',
    '    cssCaptured = false\n  } = options;\n  let { needsMask } = options;',
    '    cssCaptured = false,\n    deferChildren\n  } = options;\n  let { needsMask } = options;',
  ],
  [
    'a node hands its children to the walk instead of recursing',
    `      for (const childN of Array.from(index.childNodes(n))) {
        const serializedChildNode = serializeNodeWithId(childN, bypassOptions);
        if (serializedChildNode) {
          serializedNode.childNodes.push(serializedChildNode);
        }
      }`,
    `      if (deferChildren) deferChildren(n, serializedNode, Array.from(index.childNodes(n)), bypassOptions, false);
      else for (const childN of Array.from(index.childNodes(n))) {
        const serializedChildNode = serializeNodeWithId(childN, bypassOptions);
        if (serializedChildNode) {
          serializedNode.childNodes.push(serializedChildNode);
        }
      }`,
  ],
  [
    'and so does its shadow root',
    `    if (isElement(n) && (shadowRootEl = index.shadowRoot(n))) {
      for (const childN of Array.from(index.childNodes(shadowRootEl))) {`,
    `    if (isElement(n) && (shadowRootEl = index.shadowRoot(n)) && deferChildren) {
      deferChildren(shadowRootEl, serializedNode, Array.from(index.childNodes(shadowRootEl)), bypassOptions, isNativeShadowDom(shadowRootEl));
    } else if (isElement(n) && (shadowRootEl = index.shadowRoot(n))) {
      for (const childN of Array.from(index.childNodes(shadowRootEl))) {`,
  ],
  [
    'snapshot() passes deferChildren on',
    '  return serializeNodeWithId(n, {\n    doc: n,\n',
    '  return serializeNodeWithId(n, {\n    doc: n,\n    deferChildren: options.deferChildren,\n',
  ],
  [
    'mutation buffers do not emit while a walk runs',
    '    __publicField(this, "emit", () => {\n      if (this.frozen || this.locked) {',
    '    __publicField(this, "emit", () => {\n      if (this.frozen || this.locked || __spWalk.active) {',
  ],
  [
    'a mutation record is judged against the walk',
    '    __publicField(this, "processMutation", (m) => {\n',
    '    __publicField(this, "processMutation", (m) => {\n      if (__spWalk.drops(m)) return;\n',
  ],
  [
    'mutation buffers can forget what they recorded',
    '  unlock() {\n    this.locked = false;\n    this.canvasManager.unlock();\n    this.emit();\n  }\n',
    `  unlock() {
    this.locked = false;
    this.canvasManager.unlock();
    this.emit();
  }
  discard() {
    this.texts = [];
    this.attributes = [];
    this.attributeMap = new WeakMap();
    this.removes = [];
    this.mapRemoves = [];
    this.addedSet = new Set();
    this.movedSet = new Set();
    this.droppedSet = new Set();
    this.removesSubTreeCache = new Set();
    this.movedMap = {};
  }
`,
  ],
  [
    'events other than the keyframe wait while a walk runs',
    '  wrappedEmit = (r, isCheckout) => {\n',
    `  wrappedEmit = (r, isCheckout) => {
    if (__spWalk.active && r.type !== EventType.Meta && r.type !== EventType.FullSnapshot) {
      __spWalk.hold(() => wrappedEmit(r, isCheckout));
      return;
    }
`,
  ],
  [
    'a new recorder cancels a walk under way',
    '  mirror.reset();\n  const maskInputOptions = maskAllInputs === true ? {',
    '  mirror.reset();\n  __spWalk.cancel();\n  const maskInputOptions = maskAllInputs === true ? {',
  ],
  [
    'so does stopping',
    '      processedNodeManager.destroy();\n      recording = false;\n',
    '      processedNodeManager.destroy();\n      __spWalk.cancel();\n      recording = false;\n',
  ],
];

/** takeFullSnapshot hands the snapshot to the walk; Meta is emitted with the keyframe, when it is complete. */
const TAKE_FULL_SNAPSHOT_FROM = `    wrappedEmit(
      {
        type: EventType.Meta,
        data: {
          href: window.location.href,
          width: getWindowWidth(),
          height: getWindowHeight()
        }
      },
      isCheckout
    );
    stylesheetManager.reset();
    shadowDomManager.init();
    mutationBuffers.forEach((buf) => buf.lock());
    const node = snapshot(document, {`;
const TAKE_FULL_SNAPSHOT_TO = `    if (__spWalk.active) return;
    stylesheetManager.reset();
    shadowDomManager.init();
    mutationBuffers.forEach((buf) => buf.lock());
    __spWalk.start({
      sliced: options.sliceSnapshot === true,
      doc: document,
      serialize: serializeNodeWithId,
      snapshotRoot: (deferChildren) => __spSnapshotRoot(deferChildren),
      discardPending: () => mutationBuffers.forEach((buf) => buf.discard()),
      onError: (error) => {
        if (!errorHandler2 || !errorHandler2(error)) console.warn(error);
      },
      finish: (node, held) => __spFinish(node, held, isCheckout),
    });
  };
  const __spFinish = (node, held, isCheckout) => {
    if (!node) {
      mutationBuffers.forEach((buf) => buf.unlock());
      return console.warn("Failed to snapshot the document");
    }
    wrappedEmit(
      {
        type: EventType.Meta,
        data: {
          href: window.location.href,
          width: getWindowWidth(),
          height: getWindowHeight()
        }
      },
      isCheckout
    );
    wrappedEmit(
      {
        type: EventType.FullSnapshot,
        data: {
          node,
          initialOffset: getWindowScroll(window)
        }
      },
      isCheckout
    );
    held.forEach((emitHeld) => emitHeld());
    mutationBuffers.forEach((buf) => buf.unlock());
    if (document.adoptedStyleSheets && document.adoptedStyleSheets.length > 0)
      stylesheetManager.adoptStyleSheets(
        document.adoptedStyleSheets,
        mirror.getId(document)
      );
  };
  const __spSnapshotRoot = (deferChildren) => {
    return snapshot(document, {
      deferChildren,`;
const TAKE_FULL_SNAPSHOT_TAIL_FROM = `      keepIframeSrcFn
    });
    if (!node) {
      return console.warn("Failed to snapshot the document");
    }
    wrappedEmit(
      {
        type: EventType.FullSnapshot,
        data: {
          node,
          initialOffset: getWindowScroll(window)
        }
      },
      isCheckout
    );
    mutationBuffers.forEach((buf) => buf.unlock());
    if (document.adoptedStyleSheets && document.adoptedStyleSheets.length > 0)
      stylesheetManager.adoptStyleSheets(
        document.adoptedStyleSheets,
        mirror.getId(document)
      );
  };`;
const TAKE_FULL_SNAPSHOT_TAIL_TO = `      keepIframeSrcFn
    });
  };`;

function replaceOnce(source, from, to, what) {
  const at = source.indexOf(from);
  if (at < 0 || source.indexOf(from, at + 1) >= 0) {
    throw new Error(`rrweb-slicing: "${what}" does not match @rrweb/record ${RRWEB_RECORD_VERSION} exactly once; update rrweb-slicing.mjs`);
  }
  return source.slice(0, at) + to + source.slice(at + from.length);
}

/** The patched text of @rrweb/record's record.js. */
export function patchRecordSource(source) {
  let out = source;
  for (const [what, from, to] of EDITS) out = replaceOnce(out, from, to, what);
  out = replaceOnce(out, TAKE_FULL_SNAPSHOT_FROM, TAKE_FULL_SNAPSHOT_TO, 'takeFullSnapshot hands over to the walk');
  out = replaceOnce(out, TAKE_FULL_SNAPSHOT_TAIL_FROM, TAKE_FULL_SNAPSHOT_TAIL_TO, 'takeFullSnapshot emits through the walk');
  return `import { snapshotWalk as __spWalk } from ${JSON.stringify(walkModule)};\n${out}`;
}

export const rrwebSlicing = {
  name: 'rrweb-slicing',
  setup(build) {
    build.onLoad({ filter: /[\\/]@rrweb[\\/]record[\\/]dist[\\/]record\.js$/ }, (args) => {
      const { version } = JSON.parse(readFileSync(join(dirname(args.path), '..', 'package.json'), 'utf8'));
      if (version !== RRWEB_RECORD_VERSION) {
        throw new Error(`rrweb-slicing: written for @rrweb/record ${RRWEB_RECORD_VERSION}, found ${version}`);
      }
      return { contents: patchRecordSource(readFileSync(args.path, 'utf8')), loader: 'js' };
    });
  },
};
