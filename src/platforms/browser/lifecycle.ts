/** A second hide event this soon after the first (close fires both) adds nothing to send. */
const SAME_HIDE_MS = 1_000;

/**
 * Calls `onHide` when the page is hidden (`visibilitychange` → hidden) or left (`pagehide`),
 * never on `unload`/`beforeunload`, which keep pages out of the back/forward cache.
 *
 * - The listeners sit on `window` in the bubble phase, so that `web-vitals`' capture-phase
 *   listeners record LCP/CLS/INP first and those values go out in the same flush.
 * - Leaving a visible page fires `pagehide` and then, in the same task, `visibilitychange`
 *   → hidden (HTML "unload a document"; measured in Chromium for close, navigation and
 *   context close). A `pagehide` while still visible is therefore left to that event:
 *   flushing twice would spend the 64 KiB quota twice, and CLS/INP are only reported then.
 * - A `pagehide` within a second of a hidden flush (switch tab, then close) is skipped
 *   unless the page was visible in between.
 *
 * `onShow` runs when the page is visible again (`visibilitychange` → visible, or restored
 * from the back/forward cache): it lives on after a hide.
 *
 * Returns a function removing the listeners.
 */
export function watchPageHide(onHide: () => void, onShow: () => void = () => {}, now: () => number = () => performance.now()): () => void {
  let lastHide = -Infinity;
  const hide = () => {
    const t = now();
    if (t - lastHide < SAME_HIDE_MS) return;
    lastHide = t;
    onHide();
  };
  const shown = () => {
    lastHide = -Infinity;
    onShow();
  };
  const listeners: [string, () => void][] = [
    ["visibilitychange", () => (document.visibilityState === "hidden" ? hide() : shown())],
    ["pagehide", () => document.visibilityState !== "visible" && hide()],
    ["pageshow", shown],
  ];
  for (const [type, listener] of listeners) window.addEventListener(type, listener);
  return () => {
    for (const [type, listener] of listeners) window.removeEventListener(type, listener);
  };
}
