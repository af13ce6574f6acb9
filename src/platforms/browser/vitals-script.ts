import type { RuntimeModule } from "./runtime-start";

/** The file next to the script tag that carries the runtime metrics and `web-vitals` (built from src/iife-vitals.ts). */
export const VITALS_SCRIPT = "apptuit-vitals.iife.js";
/** The global that file sets. */
const VITALS_GLOBAL = "ApptuitWebVitals";

/**
 * Script-tag builds: loads the runtime metrics and `web-vitals` from `VITALS_SCRIPT` next
 * to the SDK's own script (`base`, its `src`), once, only when a page asks for runtime
 * metrics — the visitors of pages that do not never download them.
 */
export function scriptRuntime(base: string): () => Promise<RuntimeModule> {
  let loading: Promise<RuntimeModule> | undefined;
  return () =>
    (loading ??= new Promise<RuntimeModule>((resolve, reject) => {
      const ready = () => (globalThis as Record<string, unknown>)[VITALS_GLOBAL] as RuntimeModule | undefined;
      if (ready() !== undefined) return resolve(ready()!);
      const script = document.createElement("script");
      script.src = new URL(VITALS_SCRIPT, base).href;
      script.onload = () =>
        ready() !== undefined ? resolve(ready()!) : reject(new Error(`${VITALS_SCRIPT} did not define ${VITALS_GLOBAL}`));
      script.onerror = () => reject(new Error(`could not load ${script.src}`));
      document.head.append(script);
    }));
}

/** The `src` of the script running now (at a script tag's first run), else the page's address. */
export function currentScriptBase(): string {
  if (typeof document === "undefined") return typeof location === "undefined" ? "" : location.href;
  const current = document.currentScript as HTMLScriptElement | null;
  return current?.src || location.href;
}
