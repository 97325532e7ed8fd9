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
    // rrweb 2.1.6 bug, not slicing's: once buffers hold changes across tasks (a walk, or a
    // frozen page), a node wrapped in a new element whose ancestor is then moved was dropped
    // as if its parent had been removed, and the replica showed the wrapper empty.
    'a moved node whose parent is new is added with it',
    '        if (this.removesSubTreeCache.has(parentNode22) && !this.movedSet.has(parentNode22)) {',
    '        if (this.removesSubTreeCache.has(parentNode22) && !this.movedSet.has(parentNode22) && !this.addedSet.has(parentNode22)) {',
  ],
  [
    // rrweb 2.1.6 bug too: when a node moved earlier in the batch leaves its new parent again,
    // rrweb forgot the move for the node's whole subtree, including nodes inside wrappers added
    // meanwhile, and did not add the node again if it went into a new wrapper (whose insertion
    // had already walked the subtree): the replica showed the wrappers empty.
    'a node whose move is undone keeps the new parts of its subtree, and is added where it now is',
    '            else if (this.movedSet.has(n) && this.movedMap[moveKey(nodeId, parentId)]) {\n              deepDelete(this.movedSet, n);\n            }',
    `            else if (this.movedSet.has(n) && this.movedMap[moveKey(nodeId, parentId)]) {
              const undoMove = (node) => {
                this.movedSet.delete(node);
                if (!this.addedSet.has(node)) index.childNodes(node).forEach(undoMove);
              };
              undoMove(n);
              const now = index.parentNode(n);
              if (now && (this.addedSet.has(now) || this.movedSet.has(now))) this.genAdds(n, now);
            }`,
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

/**
 * takeFullSnapshot hands the snapshot to the walk. Its own tail (FullSnapshot, unlocking the
 * buffers, adopted stylesheets) becomes `__spFinish`, which the walk calls when the tree is
 * complete; rrweb's Meta event moves there too, so it goes out with the keyframe.
 */
const META_FROM = '    wrappedEmit(\n      {\n        type: EventType.Meta,';
const META_TO = '      isCheckout\n    );\n';
const START_WALK = `    __spWalk.start({
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
  const __spSnapshotRoot = (deferChildren) => {
    return snapshot(document, {
      deferChildren,
`;
const NO_NODE = '    if (!node) {\n      return console.warn("Failed to snapshot the document");\n    }\n';
const UNLOCK = '    mutationBuffers.forEach((buf) => buf.unlock());\n    if (document.adoptedStyleSheets';

function patchTakeFullSnapshot(source) {
  const what = 'takeFullSnapshot hands over to the walk';
  const metaAt = findOnce(source, META_FROM, what);
  const meta = source.slice(metaAt, source.indexOf(META_TO, metaAt) + META_TO.length);
  let out = source.slice(0, metaAt) + '    if (__spWalk.active) return;\n' + source.slice(metaAt + meta.length);
  out = replaceOnce(out, '    const node = snapshot(document, {\n', START_WALK, what);
  out = replaceOnce(out, UNLOCK, `    held.forEach((emitHeld) => emitHeld());\n${UNLOCK}`, what);
  const finish = '  };\n  const __spFinish = (node, held, isCheckout) => {\n    if (!node) {\n      mutationBuffers.forEach((buf) => buf.unlock());\n      return console.warn("Failed to snapshot the document");\n    }\n';
  return replaceOnce(out, NO_NODE, finish + meta, what);
}

/** Where `text` stands in `source`; throws unless it stands there exactly once. */
function findOnce(source, text, what) {
  const at = source.indexOf(text);
  if (at < 0 || source.indexOf(text, at + 1) >= 0) {
    throw new Error(`rrweb-slicing: "${what}" does not match @rrweb/record ${RRWEB_RECORD_VERSION} exactly once; update rrweb-slicing.mjs`);
  }
  return at;
}

function replaceOnce(source, from, to, what) {
  const at = findOnce(source, from, what);
  return source.slice(0, at) + to + source.slice(at + from.length);
}

/** The patched text of @rrweb/record's record.js. */
export function patchRecordSource(source) {
  let out = source;
  for (const [what, from, to] of EDITS) out = replaceOnce(out, from, to, what);
  out = patchTakeFullSnapshot(out);
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
