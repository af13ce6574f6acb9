// dist/apptuit-vitals.iife.js: `web-vitals` as `window.ApptuitWebVitals`, loaded by the script
// tags (dist/apptuit.iife.js, dist/apptuit-direct.iife.js) only on `runtimeMetrics: true`.
export { onCLS, onFCP, onINP, onLCP, onTTFB } from "web-vitals";
