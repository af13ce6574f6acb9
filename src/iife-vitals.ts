// dist/apptuit-vitals.iife.js: the runtime metrics with `web-vitals`, as
// `window.ApptuitWebVitals` (`startRuntime`), loaded by the script tags
// (dist/apptuit.iife.js, dist/apptuit-direct.iife.js) only on `runtimeMetrics: true`.
export { startRuntime } from "./platforms/browser/runtime-start";
