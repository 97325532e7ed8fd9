/**
 * Remote control: what an agent may ask the customer's tab to do once the customer consents.
 * The server checks every action against consent and the agent's permissions; the SDK checks
 * it again before acting.
 */
import * as v from 'valibot';

const coord = v.pipe(v.number(), v.finite(), v.minValue(-1e7), v.maxValue(1e7));

/**
 * Which element an action is for: the capture mirror's node id first; when that node cannot
 * be found, the point (customer viewport coordinates, CSS px) for `elementFromPoint`.
 */
export const controlTargetSchema = v.object({
  id: v.nullable(v.pipe(v.number(), v.integer(), v.minValue(-1))),
  x: coord,
  y: coord,
});
export type ControlTarget = v.InferOutput<typeof controlTargetSchema>;

export const CONTROL_KEYS = ['Enter', 'Tab', 'Backspace', 'Delete', 'Escape', 'ArrowUp', 'ArrowDown', 'ArrowLeft', 'ArrowRight', 'Home', 'End', 'PageUp', 'PageDown', ' '] as const;
export type ControlKey = (typeof CONTROL_KEYS)[number];

export const controlActionSchema = v.variant('kind', [
  v.object({ kind: v.literal('click'), target: controlTargetSchema, double: v.optional(v.boolean()) }),
  v.object({ kind: v.literal('type'), target: controlTargetSchema, text: v.pipe(v.string(), v.maxLength(4096)) }),
  v.object({ kind: v.literal('key'), target: v.optional(controlTargetSchema), key: v.picklist(CONTROL_KEYS), shift: v.optional(v.boolean()) }),
  /** Scrolls the element (or the document when the target id is the document's) to x, y. */
  v.object({ kind: v.literal('scroll'), target: controlTargetSchema, scrollX: coord, scrollY: coord }),
  v.object({ kind: v.literal('select'), target: controlTargetSchema, index: v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(100_000)) }),
  v.object({ kind: v.literal('check'), target: controlTargetSchema, checked: v.boolean() }),
  v.object({ kind: v.literal('focus'), target: controlTargetSchema }),
  v.object({ kind: v.literal('submit'), target: controlTargetSchema }),
  v.object({
    kind: v.literal('navigate'),
    to: v.picklist(['url', 'back', 'forward', 'reload']),
    url: v.optional(v.pipe(v.string(), v.maxLength(4096))),
  }),
  /** Shared browser only (docs/SHARED-BROWSER.md): stream another tab; an SDK answers not_supported. */
  v.object({ kind: v.literal('tab'), index: v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(99)) }),
]);
export type ControlAction = v.InferOutput<typeof controlActionSchema>;

/** Why an action did not happen; each is reported to the agent, never silently dropped. */
export const CONTROL_FAILURES = [
  'not_controller',
  'no_permission',
  'node_gone',
  'redacted_field',
  'not_editable',
  'origin_not_allowed',
  'not_supported',
  'failed',
] as const;
export type ControlFailure = (typeof CONTROL_FAILURES)[number];

/** Actions that need `session.navigate` on top of `session.control`. */
export function isNavigation(action: ControlAction): action is Extract<ControlAction, { kind: 'navigate' }> {
  return action.kind === 'navigate';
}
