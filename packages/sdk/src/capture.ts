/**
 * capture.js, loaded by the loader when a session starts or resumes. It registers with the
 * loader through the private hook on `window.Samepage` and adds no global of its own.
 */
import type { CaptureFactory, CaptureHost } from './api-types.ts';
import { createPointerLayer, type PointerLayer } from './pointer-layer.ts';
import { createSessionController } from './session.ts';
import { mountWidget, type Widget } from './widget.ts';

const createCapture: CaptureFactory = (host: CaptureHost) => {
  let widget: Widget | null = null;
  let pointers: PointerLayer | null = null;

  // The widget's root is created lazily: with data-widget off it exists only for pointers.
  const ensureUi = (): void => {
    if (widget) return;
    const root = host.widgetRoot();
    if (!root) return;
    widget = mountWidget(root, host.config.widget, {
      start: () => void controller.start().catch(() => undefined), // reported via onError
      cancel: () => void controller.end(),
      stop: () => void controller.end(),
    });
    pointers = createPointerLayer(widget.pointerContainer);
  };

  const guard =
    <A extends unknown[]>(fn: (...args: A) => void) =>
    (...args: A): void => {
      try {
        fn(...args);
      } catch (error) {
        host.report(error);
      }
    };

  const controller = createSessionController(host, {
    render: guard(() => {
      if (host.config.widget || widget) ensureUi();
      widget?.render(host.snapshot());
    }),
    pointer: guard((id, x, y) => {
      ensureUi();
      pointers?.move(id, x, y);
    }),
    setParticipants: guard((list) => pointers?.setParticipants(list)),
  });

  if (host.config.widget) guard(() => {
    ensureUi();
    widget?.render(host.snapshot());
  })();
  return controller;
};

try {
  window.Samepage?._r?.(createCapture);
} catch {
  // Never into the page.
}
