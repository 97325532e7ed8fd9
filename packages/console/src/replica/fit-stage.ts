/**
 * Scales a replayed page (rrweb's wrapper around its iframe) down to fit its stage, as the live
 * replica does: the whole page width shows, and the stage is never taller than `maxHeight()`, so
 * the controls under it stay in view. Never scales up.
 */
export function fitToStage(stage: HTMLElement, wrapper: HTMLElement, iframe: HTMLIFrameElement, maxHeight: () => number): () => void {
  const apply = (): void => {
    const width = Number(iframe.width) || iframe.offsetWidth;
    const height = Number(iframe.height) || iframe.offsetHeight;
    if (!width || !height || !stage.clientWidth) return;
    const scale = Math.min(1, stage.clientWidth / width, Math.max(100, maxHeight()) / height);
    wrapper.style.transformOrigin = '0 0';
    wrapper.style.transform = `scale(${scale})`;
    wrapper.style.width = `${width}px`;
    // The box takes the scaled size; the unscaled wrapper overflows it invisibly.
    const borders = stage.offsetHeight - stage.clientHeight; // box-sizing: border-box
    stage.style.height = `${Math.ceil(height * scale) + borders}px`;
    stage.dataset.scale = String(scale);
  };
  const observer = new ResizeObserver(apply);
  observer.observe(stage);
  observer.observe(iframe);
  // rrweb sets the iframe's width and height attributes on each viewport change.
  const attributes = new MutationObserver(apply);
  attributes.observe(iframe, { attributes: true, attributeFilter: ['width', 'height'] });
  window.addEventListener('resize', apply);
  apply();
  return () => {
    observer.disconnect();
    attributes.disconnect();
    window.removeEventListener('resize', apply);
  };
}
